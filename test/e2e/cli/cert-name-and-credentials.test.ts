/**
 * Two certbot habits on an existing lineage: `certonly --cert-name NAME` without `-d` reissues for
 * the names the lineage has (certbot does), and `reconfigure --cert-name NAME
 * --dns-<provider>-credentials FILE` given alone moves the lineage to that credentials file, keeping
 * its provider. Against Pebble and BIND 9.
 */
import 'reflect-metadata';
import { copyFile, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../support/run-main.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';
import { parseCertificate } from '../../../shared/crypto/index.js';

let bind: BindHandle;
let pebble: PebbleHandle;
let work: string;
let configDir: string;
let credentials: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runMain([...args, '--config-dir', configDir], {
    env: { LANG: 'C', HOME: work },
    waitScale: 0.02,
    fetch: pebble.fetch,
  });
}

const dns = () => ['--dns-rfc2136', '--dns-rfc2136-credentials', credentials, '--dns-resolver', bind.server, '--server', pebble.directoryUrl];
const conf = () => readFile(join(configDir, 'renewal', 'site.conf'), 'utf8');

async function live(): Promise<{ version: number; domains: readonly string[] }> {
  const version = Number(/cert(\d+)\.pem$/.exec(await readlink(join(configDir, 'live', 'site', 'cert.pem')))?.[1]);
  return { version, domains: [...parseCertificate(await readFile(join(configDir, 'live', 'site', 'cert.pem'), 'utf8')).domains].sort() };
}

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-cert-name-'));
  configDir = join(work, 'config');
  credentials = join(work, 'rfc2136.ini');
  await writeRfc2136Credentials(credentials, bind);
  const first = await run([
    'certonly',
    '--cert-name',
    'site',
    '-d',
    'site.example.test,www.site.example.test',
    ...dns(),
    '--agree-tos',
    '--eab-kid',
    pebble.eab.kid,
    '--eab-hmac-key',
    pebble.eab.hmacKey,
  ]);
  expect(first.err).toBe('');
}, 90_000);
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('certonly --cert-name without -d', () => {
  it('reissues for the names the lineage has', async () => {
    expect(await live()).toEqual({ version: 1, domains: ['site.example.test', 'www.site.example.test'] });
    const r = await run(['certonly', '--cert-name', 'site', '--force-renewal', ...dns()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await live()).toEqual({ version: 2, domains: ['site.example.test', 'www.site.example.test'] });
    expect(await conf()).toContain('\ndomains = site.example.test, www.site.example.test\n');
  }, 60_000);

  it('asks for -d when no lineage has that name, with exit 2 and nothing written', async () => {
    const r = await run(['certonly', '--cert-name', 'nosuch', ...dns()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--cert-name nosuch: no such certificate; name its domains with -d');
    await expect(readFile(join(configDir, 'renewal', 'nosuch.conf'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('reconfigure --dns-<provider>-credentials alone', () => {
  it('moves the lineage to the new credentials file and keeps its provider; the next renewal uses it', async () => {
    const moved = join(work, 'rotated.ini');
    await copyFile(credentials, moved);
    const r = await run(['reconfigure', '--cert-name', 'site', '--dns-rfc2136-credentials', moved]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const text = await conf();
    expect(text).toContain(`\ndns_rfc2136_credentials = ${moved}\n`);
    expect(text).toContain('\nauthenticator = dns-rfc2136\n');
    await rm(credentials);
    const renewed = await run(['renew', '--cert-name', 'site', '--force-renewal', '--no-random-sleep-on-renew', '--dns-resolver', bind.server]);
    expect(renewed.err).toBe('');
    expect((await live()).version).toBe(3);
    await copyFile(moved, credentials);
  }, 60_000);

  it('refuses a credentials file that cannot be read, with exit 2, and leaves the conf as it was', async () => {
    const before = await conf();
    const r = await run(['reconfigure', '--cert-name', 'site', '--dns-rfc2136-credentials', join(work, 'missing.ini')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dns-rfc2136-credentials');
    expect(await conf()).toBe(before);
  });
});
