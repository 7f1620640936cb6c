/**
 * DNS that says what is wrong, from the command: a CNAME at `_acme-challenge` followed through the
 * resolvers given with --dns-resolver (the system resolver cannot see the lab zones at all), a
 * cause that waiting cannot fix ending the run at once, and --dns-propagation-timeout kept with
 * the lineage. Pebble validates against the same BIND 9.
 */
import 'reflect-metadata';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../support/run-main.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';

let bind: BindHandle;
let stranger: BindHandle;
let pebble: PebbleHandle;
let work: string;
let configDir: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runMain(args, {
    env: { LANG: 'C', HOME: work },
    waitScale: 0.02,
    fetch: pebble.fetch,
  });
}

const certonly = (name: string, resolver: string, more: string[] = []) =>
  run([
    'certonly',
    '-d',
    name,
    '--dns',
    'rfc2136',
    '--dns-rfc2136-credentials',
    join(work, 'rfc2136.ini'),
    '--dns-resolver',
    resolver,
    '--server',
    pebble.directoryUrl,
    '--agree-tos',
    '--eab-kid',
    pebble.eab.kid,
    '--eab-hmac-key',
    pebble.eab.hmacKey,
    '--config-dir',
    configDir,
    ...more,
  ]);

beforeAll(async () => {
  // The CNAME's target is in the same zone: BIND answers a CNAME into another zone without chasing
  // it, and Pebble's VA (a stub resolver) does not chase it either.
  [bind, stranger] = await Promise.all([
    startBind({ zones: ['example.test'], records: { 'example.test': ['_acme-challenge.cname CNAME validation-for-cname.example.test.'] } }),
    startBind({ zones: ['other.test'] }),
  ]);
  // Six-day certificates: a failed renewal of one is within `renew`'s 7-day expiry warning.
  pebble = await startPebble({ dnsServer: bind.server, certificateValidityPeriod: 6 * 86_400 });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-cli-dns-'));
  configDir = join(work, 'config');
  await writeRfc2136Credentials(join(work, 'rfc2136.ini'), bind);
}, 60_000);
afterAll(async () => {
  await pebble?.stop();
  await Promise.all([bind?.stop(), stranger?.stop()]);
});

describe('DNS from the command', () => {
  it('follows the CNAME at _acme-challenge through --dns-resolver and publishes at its target', async () => {
    const r = await certonly('cname.example.test', bind.server, ['--dns-propagation-timeout', '120']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Successfully received certificate.');
    const conf = await readFile(join(configDir, 'renewal', 'cname.example.test.conf'), 'utf8');
    expect(conf).toContain('dns_propagation_timeout_seconds = 120');
  }, 60_000);

  it('refuses a propagation timeout that is no number of seconds, with exit 2', async () => {
    const r = await certonly('bad.example.test', bind.server, ['--dns-propagation-timeout', '5m']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dns-propagation-timeout 5m: give whole seconds from 10 to 86400');
  });

  it('ends at once with the cause when the servers checked are not authoritative for the zone, naming them and the fix', async () => {
    // The record is published (the credentials reach the real server), but the servers the check
    // asks serve another zone: waiting cannot help, so no 15-minute wait.
    const r = await certonly('plain.example.test', stranger.server);
    expect(r.code).toBe(1);
    expect(r.err).toContain('DnsNotAuthoritativeError');
    expect(r.err).toContain(`no server asked is authoritative for the challenge record: ${stranger.server} (REFUSED)`);
    expect(r.err).toContain('_acme-challenge.plain.example.test');
    expect(r.err.trimEnd().split('\n').at(-1)).toBe('  More: acmeflow explain DnsNotAuthoritativeError');
  }, 60_000);

  it('renew warns that a lineage it could not renew expires within 7 days', async () => {
    const r = await run(['renew', '--force-renewal', '--cert-name', 'cname.example.test', '--dns-resolver', stranger.server, '--config-dir', configDir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Warning: cname\.example\.test could not be renewed and its certificate expires on \d{4}-\d\d-\d\d \(in [56] days\)\./);
    expect(r.err).toContain('DnsNotAuthoritativeError');
  }, 60_000);
});
