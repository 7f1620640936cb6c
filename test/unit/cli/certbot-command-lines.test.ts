/**
 * certbot's command lines as acmeflow reads them: options before or after the verb, certbot's plugin
 * flags, the manual hooks, --staging, punycode names, the random delay of a renew from cron, and
 * `certificates` in certbot's format.
 */
import { describe, expect, it } from 'vitest';
import { parseVerbArgs } from '../../../cli/args.js';
import { caFromFlags } from '../../../cli/ca-flags.js';
import { certNameFromFlag } from '../../../cli/cert-name.js';
import { certbotExpiry, certbotKeyType } from '../../../cli/commands/certificates.js';
import { certonly } from '../../../cli/commands/certonly.js';
import { renew } from '../../../cli/commands/renew.js';
import { dnsFromFlags } from '../../../cli/dns-flags.js';
import type { CommandContext } from '../../../cli/engine-runner.js';
import { verbFirst } from '../../../cli/main.js';
import { Output } from '../../../cli/output.js';
import type { RenewRequest } from '../../../cli/backend/index.js';
import { FakeBackend } from './backend/fake-backend.js';

function context(extra: Partial<CommandContext> = {}): CommandContext & { printed: () => string } {
  let out = '';
  const env = { LANG: 'C', ...extra.env };
  return {
    env,
    out: new Output({ write: (s: string) => (out += s) }, { write: (s: string) => (out += s) }, env),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    ...extra,
    printed: () => out,
  };
}

describe('options before or after the verb', () => {
  it.each([
    [['--config-dir', '/etc/letsencrypt', 'certificates'], 'certificates', ['--config-dir', '/etc/letsencrypt']],
    [['-q', '--config-dir', 'D', 'renew', '--deploy-hook', 'x'], 'renew', ['-q', '--config-dir', 'D', '--deploy-hook', 'x']],
    [['renew', '-q'], 'renew', ['-q']],
    [['-n', 'show_account', '--server', 'https://ca.test/dir'], 'show_account', ['-n', '--server', 'https://ca.test/dir']],
    [['--config-dir', 'D', '--help'], '--help', []],
    [['frobnicate', '-v'], 'frobnicate', ['-v']],
  ])('%j is the verb %s with %j', (argv, verb, rest) => {
    expect(verbFirst(argv)).toEqual({ verb, rest });
  });

  it('accepts certbot\u2019s common flags on every verb: -n, -q, -v, --work-dir, --logs-dir', () => {
    const { values } = parseVerbArgs('renew', ['-n', '-q', '--work-dir', '/var/lib/letsencrypt', '--logs-dir', '/var/log/letsencrypt'], renew.options);
    expect(values).toMatchObject({ 'non-interactive': true, quiet: true, 'work-dir': '/var/lib/letsencrypt' });
  });

  it('-q prints nothing but errors', () => {
    let out = '';
    const quiet = new Output({ write: (s: string) => (out += s) }, { write: (s: string) => (out += s) }, {}, false, true);
    quiet.line('Congratulations');
    quiet.error('1 renewal(s) failed');
    expect(out).toBe('1 renewal(s) failed\n');
  });
});

describe('certbot\u2019s plugin flags', () => {
  it('-a dns-<provider> and --authenticator choose the provider, as --dns-<provider> does', async () => {
    expect((await dnsFromFlags({ authenticator: 'dns-route53' }, () => undefined)).provider).toBe('route53');
    await expect(dnsFromFlags({ authenticator: 'webroot' }, () => undefined)).rejects.toThrow(/dns-01 only/);
    await expect(dnsFromFlags({ authenticator: 'dns-route53', 'dns-cloudflare': true }, () => undefined)).rejects.toThrow(/not route53 and cloudflare|Choose one/);
  });

  it('--manual --preferred-challenges dns with the hooks is the manual provider; without an auth hook or dns-01 it is refused', async () => {
    const manual = { manual: true, 'preferred-challenges': 'dns', 'manual-auth-hook': '/bin/add', 'manual-cleanup-hook': '/bin/del' };
    expect(await dnsFromFlags(manual, () => undefined)).toEqual({ provider: 'manual', config: { authHook: '/bin/add', cleanupHook: '/bin/del' } });
    expect((await dnsFromFlags({ authenticator: 'manual', 'preferred-challenges': 'dns-01', 'manual-auth-hook': '/bin/add' }, () => undefined)).provider).toBe('manual');
    await expect(dnsFromFlags({ manual: true, 'preferred-challenges': 'dns' }, () => undefined)).rejects.toThrow(/--manual-auth-hook/);
    await expect(dnsFromFlags({ manual: true, 'manual-auth-hook': '/bin/add' }, () => undefined)).rejects.toThrow(/--preferred-challenges dns/);
    await expect(dnsFromFlags({ ...manual, 'preferred-challenges': 'http' }, () => undefined)).rejects.toThrow(/dns-01 only/);
  });

  it('certonly keeps --reuse-key and the manual hooks in the lineage, and refuses --reuse-key with --new-key', async () => {
    const backend = new FakeBackend({ dns: { provider: 'manual', config: { authHook: '/bin/add' } }, issue: { status: 'SUCCEEDED', lineage: 'example.com', dryRun: false } });
    const argv = ['-d', 'example.com', '--manual', '--preferred-challenges', 'dns', '--manual-auth-hook', '/bin/add', '--server', 'https://acme.test/dir', '--reuse-key', '--expand', '--keep-until-expiring'];
    const cmd = context();
    expect(await certonly.run(parseVerbArgs('certonly', argv, certonly.options).values, backend, cmd)).toBe(0);
    const request = backend.calls.find((c) => c.method === 'issue')?.request as { spec: { reuseKey: boolean; dns: unknown } };
    expect(request.spec).toMatchObject({ reuseKey: true, dns: { provider: 'manual', config: { authHook: '/bin/add' } } });
    const both = parseVerbArgs('certonly', [...argv, '--new-key'], certonly.options).values;
    await expect(certonly.run(both, backend, cmd)).rejects.toThrow(/--reuse-key or --new-key/);
  });
});

describe('names and CAs as certbot takes them', () => {
  it('converts a --cert-name in Unicode to the lineage\u2019s ASCII name', () => {
    expect(certNameFromFlag('bücher.example.test')).toBe('xn--bcher-kva.example.test');
    expect(certNameFromFlag('example.com')).toBe('example.com');
  });

  it('--staging and --test-cert choose the staging directory, and refuse --server', () => {
    expect(caFromFlags({ staging: true }).directoryUrl).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(caFromFlags({ 'test-cert': true }).preset?.name).toBe('letsencrypt-staging');
    expect(() => caFromFlags({ staging: true, server: 'https://acme.test/dir' })).toThrow(/--staging/);
  });
});

describe('renew from cron', () => {
  const answers = { renew: { status: 'SUCCEEDED', dryRun: false, attempted: 0, renewed: [], failed: [], skipped: 0, results: [], notDue: [], unreadable: [], json: {} } } as const;

  it('asks for certbot\u2019s random delay when no one is at the terminal, not with --no-random-sleep-on-renew or at a terminal', async () => {
    const request = async (argv: string[], cmd: CommandContext) => {
      const backend = new FakeBackend(answers as never);
      await renew.run(parseVerbArgs('renew', argv, renew.options).values, backend, cmd);
      return backend.calls.find((c) => c.method === 'renew')?.request as RenewRequest;
    };
    expect((await request([], context({ interactive: false }))).randomDelayMaxSeconds).toBe(480);
    expect((await request([], context({ interactive: false, env: { ACMEFLOW_RANDOM_SLEEP_MAX_SECONDS: '2' } }))).randomDelayMaxSeconds).toBe(2);
    expect((await request(['--no-random-sleep-on-renew'], context({ interactive: false }))).randomDelayMaxSeconds).toBeUndefined();
    expect((await request([], context({ interactive: true }))).randomDelayMaxSeconds).toBeUndefined();
    expect((await request(['--cert-name', 'bücher.example.test'], context())).names).toEqual(['xn--bcher-kva.example.test']);
  });
});

describe('certificates in certbot\u2019s format', () => {
  const now = Date.parse('2026-12-08T00:00:00Z');
  it.each([
    ['2027-03-07T10:11:12.000Z', 'VALID', '2027-03-07 10:11:12+00:00 (VALID: 89 days)'],
    ['2026-12-09T12:00:00.000Z', 'VALID', '2026-12-09 12:00:00+00:00 (VALID: 1 day)'],
    ['2026-12-08T05:30:00.000Z', 'VALID', '2026-12-08 05:30:00+00:00 (VALID: 5 hour(s))'],
    ['2026-12-01T00:00:00.000Z', 'EXPIRED', '2026-12-01 00:00:00+00:00 (INVALID: EXPIRED)'],
    ['2027-03-07T10:11:12.000Z', 'REVOKED', '2027-03-07 10:11:12+00:00 (INVALID: REVOKED)'],
  ])('Expiry Date for %s (%s) is %s', (notAfter, status, expected) => {
    expect(certbotExpiry(notAfter, status, now)).toBe(expected);
  });

  it('names the key type as certbot does', () => {
    expect([certbotKeyType('rsa-2048'), certbotKeyType('rsa-4096'), certbotKeyType('ecdsa-p384')]).toEqual(['RSA', 'RSA', 'ECDSA']);
  });
});
