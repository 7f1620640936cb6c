/**
 * `show_account` shows the certificate profiles the CA offers (draft-ietf-acme-profiles
 * `meta.profiles`: names and descriptions), in text and in `--json`, against the real Pebble behind
 * harness/pebble-proxy.ts (which adds the profiles Pebble 2.4 lacks); and says so when a CA lists none.
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../support/run-main.js';
import { startProfiledPebble, type PebbleProxyHandle } from '../../../harness/pebble-proxy.js';

let profiled: PebbleProxyHandle;
let plain: PebbleProxyHandle;
let work: string;

async function run(ca: PebbleProxyHandle, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runMain([...args, '--server', ca.directoryUrl, '--config-dir', join(work, 'config')], {
    env: { LANG: 'C', HOME: work },
    fetch: ca.pebble.fetch,
  });
}

const registerFlags = (ca: PebbleProxyHandle) => ['register', '--agree-tos', '-m', 'ops@example.test', '--eab-kid', ca.eab.kid, '--eab-hmac-key', ca.eab.hmacKey];

beforeAll(async () => {
  profiled = await startProfiledPebble({ profiles: { classic: 'the default', shortlived: 'six days \u001b[31mred\u001b[0m' }, renewalInfo: false });
  plain = await startProfiledPebble({ listProfiles: false, renewalInfo: false });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-show-account-'));
  for (const ca of [profiled, plain]) expect((await run(ca, registerFlags(ca))).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await profiled?.stop();
  await plain?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('show_account', () => {
  it('lists the profiles the CA offers under the account, their descriptions sanitised', async () => {
    const r = await run(profiled, ['show_account']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Account details for server https:\/\/127\.0\.0\.1:\d+\/dir:\n {2}Account URL: https:/);
    expect(r.out).toContain(
      '  Email contact: ops@example.test\n  The CA offers these certificate profiles (--preferred-profile NAME or --required-profile NAME):\n    classic: the default\n    shortlived: six days red\n',
    );
  });

  it('gives them as `profiles` (name → description) with --json', async () => {
    const r = await run(profiled, ['show_account', '--json']);
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.out) as { accountUrl: string; profiles: Record<string, string> };
    expect(shown.accountUrl).toMatch(/^https:/);
    expect(shown.profiles).toEqual({ classic: 'the default', shortlived: 'six days red' });
  });

  it('says so when the CA lists none, and --json gives an empty object', async () => {
    const r = await run(plain, ['show_account']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  The CA lists no certificate profiles.\n');
    expect((JSON.parse((await run(plain, ['show_account', '--json'])).out) as { profiles: unknown }).profiles).toEqual({});
  });
});
