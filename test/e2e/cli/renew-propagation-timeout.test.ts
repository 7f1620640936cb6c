/**
 * `renew --dns-propagation-timeout SECONDS`, as certbot's plugin flags on `renew`: it overrides each
 * lineage's stored timeout for this run, and is saved into the renewal confs of the lineages the run
 * renewed (not into those it did not renew, not by a failed renewal, not by a dry run). Against Pebble
 * and BIND 9; a second BIND that serves the same zone and never receives the records stands for
 * nameservers that lag behind.
 */
import 'reflect-metadata';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../support/run-main.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';

let bind: BindHandle;
let lagging: BindHandle;
let pebble: PebbleHandle;
let work: string;
let configDir: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runMain([...args, '--config-dir', configDir], {
    env: { LANG: 'C', HOME: work },
    waitScale: 0.02,
    fetch: pebble.fetch,
  });
}

const conf = (name: string) => readFile(join(configDir, 'renewal', `${name}.conf`), 'utf8');
const renew = (resolver: string, more: string[]) =>
  run(['renew', '--cert-name', 'slow.example.test', '--force-renewal', '--no-random-sleep-on-renew', '--dns-resolver', resolver, ...more]);

beforeAll(async () => {
  [bind, lagging] = await Promise.all([startBind({ zones: ['example.test'] }), startBind({ zones: ['example.test'] })]);
  pebble = await startPebble({ dnsServer: bind.server });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-renew-timeout-'));
  configDir = join(work, 'config');
  await writeRfc2136Credentials(join(work, 'rfc2136.ini'), bind);
  const account = ['--agree-tos', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey, '--server', pebble.directoryUrl];
  for (const name of ['slow.example.test', 'other.example.test']) {
    const r = await run([
      'certonly',
      '-d',
      name,
      '--dns',
      'rfc2136',
      '--dns-rfc2136-credentials',
      join(work, 'rfc2136.ini'),
      '--dns-resolver',
      bind.server,
      '--dns-propagation-timeout',
      '600',
      ...account,
    ]);
    expect(r.err).toBe('');
  }
}, 90_000);
afterAll(async () => {
  await pebble?.stop();
  await Promise.all([bind?.stop(), lagging?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('renew --dns-propagation-timeout', () => {
  it('overrides the lineage\u2019s stored timeout for this run; a failed renewal saves nothing', async () => {
    expect(await conf('slow.example.test')).toContain('\ndns_propagation_timeout_seconds = 600\n');
    // The records never reach the lagging server: the run gives up after 10 s, not the stored 600 s.
    const r = await renew(lagging.server, ['--dns-propagation-timeout', '10']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('DnsPropagationTimeoutError');
    expect(r.err).toMatch(/after 10 s/);
    expect(await conf('slow.example.test')).toContain('\ndns_propagation_timeout_seconds = 600\n');
  }, 90_000);

  it('is saved into the conf of the lineage it renewed, and only there', async () => {
    const r = await renew(bind.server, ['--dns-propagation-timeout', '120']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await conf('slow.example.test')).toContain('\ndns_propagation_timeout_seconds = 120\n');
    expect(await conf('other.example.test')).toContain('\ndns_propagation_timeout_seconds = 600\n');
  }, 90_000);

  it('is not saved by a dry run', async () => {
    const r = await renew(bind.server, ['--dns-propagation-timeout', '300', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Congratulations, all simulated renewals succeeded');
    expect(await conf('slow.example.test')).toContain('\ndns_propagation_timeout_seconds = 120\n');
  }, 90_000);

  it('refuses a timeout that is no number of seconds, with exit 2', async () => {
    const r = await renew(bind.server, ['--dns-propagation-timeout', '5m']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dns-propagation-timeout 5m: give whole seconds from 10 to 86400');
  });
});
