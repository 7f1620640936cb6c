/**
 * The deploy delay does not hold the command (issue 19): `certonly` says "Successfully received
 * certificate." once the certificate is stored; a deploy hook waits for the delay, and the wait is
 * announced with its reason and its end; without a hook nothing waits. Against Pebble (EAB) and
 * BIND 9 (rfc2136), the command run in process with scaled waits.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';
import { FilesystemCertificateStore } from '../../../shared/store/filesystem/index.js';

let bind: BindHandle;
let pebble: PebbleHandle;
let work: string;
let configDir: string;
let credentials: string;

/** Runs the command; `onLine` sees each stdout write as it happens. */
async function run(args: string[], onLine: (text: string) => void = () => undefined): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    env: { LANG: 'C', HOME: work },
    stdout: {
      write: (s: string) => {
        onLine(s);
        out += s;
      },
    },
    stderr: { write: (s: string) => (err += s) },
    waitScale: 0.02,
    fetch: pebble.fetch,
  });
  return { code, out, err };
}

const certonly = (name: string, extra: string[]) => [
  'certonly',
  '-d',
  name,
  '--dns',
  'rfc2136',
  '--dns-rfc2136-credentials',
  credentials,
  '--dns-resolver',
  bind.server,
  '--server',
  pebble.directoryUrl,
  '--config-dir',
  configDir,
  ...extra,
];

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-deploy-delay-'));
  configDir = join(work, 'config');
  credentials = join(work, 'rfc2136.ini');
  await writeRfc2136Credentials(credentials, bind);
  const registered = await run([
    'register',
    '-m',
    'ops@example.test',
    '--agree-tos',
    '--eab-kid',
    pebble.eab.kid,
    '--eab-hmac-key',
    pebble.eab.hmacKey,
    '--server',
    pebble.directoryUrl,
    '--config-dir',
    configDir,
  ]);
  expect(registered.code).toBe(0);
});
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
});

describe('certonly with a deploy delay', () => {
  it('says "Successfully received certificate." before the delay, announces the wait with its reason and end, then runs the hook once', async () => {
    const marks = join(work, 'marks');
    let hookRanBeforeSuccess: boolean | undefined;
    const r = await run(certonly('hooked.example.test', ['--deploy-delay', '120', '--deploy-hook', `echo "deploy $RENEWED_LINEAGE" >> '${marks}'`]), (text) => {
      if (text.includes('Successfully received certificate.')) hookRanBeforeSuccess = existsSync(marks);
    });
    expect(r.code).toBe(0);
    expect(hookRanBeforeSuccess).toBe(false);
    const lines = r.out.split('\n');
    const success = lines.indexOf('Successfully received certificate.');
    const wait = lines.findIndex((l) => l.startsWith('The deploy hook for hooked.example.test runs at '));
    expect(success).toBeGreaterThanOrEqual(0);
    expect(wait).toBeGreaterThan(success);
    // The end is the outbox's: when the stored version becomes deployable.
    const announced = (await new FilesystemCertificateStore({ configDir }).getLineage('hooked.example.test'))?.lineage.state.announced;
    expect(announced).toMatchObject({ version: 1, issued: true, deployable: true });
    const end = `${announced!.deployableAt.slice(0, 19).replace('T', ' ')} UTC`;
    expect(lines[wait]).toContain(`runs at ${end}, after the deploy delay (120 s)`);
    expect(lines[wait]).toContain('OCSP');
    expect(lines[wait]).toContain('the next acmeflow run runs the hook');
    expect((await readFile(marks, 'utf8')).split('\n').filter(Boolean)).toEqual([`deploy ${join(configDir, 'live', 'hooked.example.test')}`]);
  });

  it('without a deploy hook nothing waits: no announcement, and Certificate Deployable is recorded as published', async () => {
    // A day's delay at the test's wait scale would still hold the command for half an hour.
    const r = await run(certonly('plain.example.test', ['--deploy-delay', '86400']));
    expect(r.code).toBe(0);
    expect(r.out).toContain('Successfully received certificate.');
    expect(r.out).not.toContain('The deploy hook');
    const stored = await new FilesystemCertificateStore({ configDir }).getLineage('plain.example.test');
    expect(stored?.lineage.state.announced).toMatchObject({ version: 1, issued: true, deployable: true });
  });

  it('--json prints one document at the end, and the wait goes to stderr', async () => {
    const marks = join(work, 'json-marks');
    const r = await run(certonly('json.example.test', ['--deploy-delay', '60', '--deploy-hook', `echo deployed >> '${marks}'`, '--json']));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ lineage: 'json.example.test', status: 'SUCCEEDED', version: 1 });
    expect(r.err).toContain('The deploy hook for json.example.test runs at ');
    expect(await readFile(marks, 'utf8')).toBe('deployed\n');
  });
});
