/**
 * ACME profiles from the command (draft-ietf-acme-profiles, certbot's `--preferred-profile` and
 * `--required-profile`) against the real Pebble behind harness/pebble-proxy.ts (which adds the
 * profiles Pebble 2.4 lacks) and BIND 9: the profiles shown, a required one refused before any
 * order, a preferred one falling back with a note, the choice kept with the lineage for renewals.
 */
import 'reflect-metadata';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../support/run-main.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startProfiledPebble, type PebbleProxyHandle } from '../../../harness/pebble-proxy.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';

let bind: BindHandle;
let ca: PebbleProxyHandle;
let work: string;
let configDir: string;
let credentials: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runMain(args, {
    env: { LANG: 'C', HOME: work },
    waitScale: 0.02,
    fetch: ca.pebble.fetch,
  });
}

const issueFlags = () => ['--dns', 'rfc2136', '--dns-rfc2136-credentials', credentials, '--dns-resolver', bind.server, '--server', ca.directoryUrl, '--config-dir', configDir];

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  ca = await startProfiledPebble({ profiles: { classic: 'the default', shortlived: 'six days' }, pebble: { dnsServer: bind.server, certificateValidityPeriod: 6 * 86_400 } });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-profiles-'));
  configDir = join(work, 'config');
  credentials = join(work, 'rfc2136.ini');
  await writeRfc2136Credentials(credentials, bind);
}, 60_000);
afterAll(async () => {
  await ca?.stop();
  await bind?.stop();
});

describe('profiles on the command line', () => {
  it('register shows the profiles the CA offers', async () => {
    const r = await run([
      'register',
      '--agree-tos',
      '-m',
      'ops@example.test',
      '--eab-kid',
      ca.eab.kid,
      '--eab-hmac-key',
      ca.eab.hmacKey,
      '--server',
      ca.directoryUrl,
      '--config-dir',
      configDir,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('The CA offers these certificate profiles (--preferred-profile NAME or --required-profile NAME):\n  classic: the default\n  shortlived: six days\n');
  });

  it('a required profile the CA does not list: exit 2 with the explanation, before any order, nothing written', async () => {
    const r = await run(['certonly', '-d', 'req.example.test', '--required-profile', 'tlsserver', ...issueFlags()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not offer the required profile "tlsserver"; it offers: classic, shortlived');
    expect(r.err).toContain('acmeflow explain AcmeProfileNotOfferedError');
    await expect(readdir(join(configDir, 'renewal'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(Object.keys(ca.issuedCertificates())).toHaveLength(0);
  });

  it('refuses both --preferred-profile and --required-profile', async () => {
    const r = await run(['certonly', '-d', 'both.example.test', '--preferred-profile', 'classic', '--required-profile', 'shortlived', ...issueFlags()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not both');
  });

  it('a preferred profile the CA does not list falls back to its default, with a note', async () => {
    const r = await run(['certonly', '-d', 'pref.example.test', '--preferred-profile', 'tlsserver', ...issueFlags()]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('Warning: The CA does not offer the preferred profile "tlsserver" (it offers: classic, shortlived); ordered with its default profile.');
    expect(Object.values(ca.orderProfiles())).toEqual([]);
    expect(await readFile(join(configDir, 'renewal', 'pref.example.test.conf'), 'utf8')).toContain('profile = tlsserver');
  }, 60_000);

  it('a required profile the CA lists is ordered, kept with the lineage, listed, and used again on renewal', async () => {
    const r = await run(['certonly', '-d', 'short.example.test', '--required-profile', 'shortlived', ...issueFlags()]);
    expect(r.code).toBe(0);
    expect(await readFile(join(configDir, 'renewal', 'short.example.test.conf'), 'utf8')).toContain('required_profile = shortlived');
    expect(Object.values(ca.orderProfiles())).toEqual(['shortlived']);
    const listed = await run(['certificates', '--config-dir', configDir, '--cert-name', 'short.example.test']);
    expect(listed.out).toContain('    Profile: shortlived (required)\n');
    const json = JSON.parse((await run(['certificates', '--json', '--config-dir', configDir, '--cert-name', 'short.example.test'])).out) as {
      certificates: { profile?: string; profileRequired?: boolean }[];
    };
    expect(json.certificates[0]).toMatchObject({ profile: 'shortlived', profileRequired: true });
    const renewed = await run(['renew', '--force-renewal', '--cert-name', 'short.example.test', '--config-dir', configDir]);
    expect(renewed.code).toBe(0);
    expect(Object.values(ca.orderProfiles())).toEqual(['shortlived', 'shortlived']);
  }, 60_000);
});
