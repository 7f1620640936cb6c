/**
 * The `acmeflow` command end to end against Pebble (EAB required) and BIND 9 (rfc2136 with a
 * certbot-format credentials file): every verb, every exit code, certbot's layout on disk, hooks
 * run as the operator manual describes, and Japanese output under LANG=ja_JP.UTF-8.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdtemp, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { runMain } from '../../support/run-main.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';

let bind: BindHandle;
let pebble: PebbleHandle;
let work: string;
let configDir: string;
let credentials: string;

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runMain(args, {
    env: { LANG: 'C', HOME: work, ...env },
    waitScale: 0.02,
    fetch: pebble.fetch,
  });
}

const common = () => ['--config-dir', configDir];
const dnsFlags = () => ['--dns', 'rfc2136', '--dns-rfc2136-credentials', credentials, '--dns-resolver', bind.server];

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  // Two labels: Pebble 2.4 panics when a requested name has fewer labels than a blocklist entry.
  pebble = await startPebble({ dnsServer: bind.server, domainBlocklist: ['blocked.test'] });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-cli-'));
  configDir = join(work, 'config');
  credentials = join(work, 'rfc2136.ini');
  await writeRfc2136Credentials(credentials, bind);
});
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
});

describe('acmeflow register', () => {
  it('refuses bad usage with exit 2 before any request', async () => {
    const noTos = await run(['register', '--server', pebble.directoryUrl, '-m', 'ops@example.test', ...common()]);
    expect(noTos.code).toBe(2);
    expect(noTos.err).toContain('--agree-tos');
    const halfEab = await run(['register', '--server', pebble.directoryUrl, '--agree-tos', '--eab-kid', 'x', ...common()]);
    expect(halfEab.code).toBe(2);
    expect(halfEab.err).toContain('--eab-hmac-key');
    const unknownFlag = await run(['register', '--frobnicate', ...common()]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.err).toContain('--frobnicate');
  });

  it('registers with EAB ("Account registered.") and refuses a duplicate', async () => {
    const ok = await run(['register', '-m', 'mail@example.jp', '--agree-tos', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey, '--server', pebble.directoryUrl, ...common()]);
    expect(ok).toMatchObject({ code: 0, out: 'Account registered.\n' });
    const again = await run(['register', '-m', 'mail@example.jp', '--agree-tos', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey, '--server', pebble.directoryUrl, ...common()]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('existing account');
    const keyFiles = await readdir(join(configDir, 'accounts'));
    expect(keyFiles).toHaveLength(1);
    expect((await stat(join(configDir, 'accounts', keyFiles[0] as string, 'account.json'))).mode & 0o777).toBe(0o600);
  });

  it('fails without EAB against a CA that requires it, explaining why', async () => {
    const other = join(work, 'no-eab');
    const r = await run(['register', '--agree-tos', '--server', pebble.directoryUrl, '--config-dir', other]);
    expect(r.code).toBe(1);
    // Refused here before sending: said once, in acmeflow's words, then what to do and where to read more.
    expect(r.err.split('\n').slice(0, 2)).toEqual([
      'The registration was not sent: externalAccountRequired',
      "  Detail: The CA's directory requires External Account Binding (meta.externalAccountRequired) and none was given, so the registration was not sent.",
    ]);
    expect(r.err).not.toContain('Detail from the CA');
    expect(r.err.trimEnd().split('\n').at(-1)).toBe('  More: acmeflow explain externalAccountRequired');
  });
});

describe('acmeflow certonly', () => {
  it.each([
    [['-d', 'x..example.test'], 'empty label'],
    [['-d', '*.*.example.test'], 'wildcard'],
    [['-d', '192.0.2.1'], 'IP address'],
    [[], '-d'],
  ])('rejects bad names %j with exit 2 and writes nothing', async (names, message) => {
    const dir = join(work, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await run(['certonly', ...names, ...dnsFlags(), '--server', pebble.directoryUrl, '--config-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects an unknown provider, an unreadable credentials file and a missing --agree-tos with exit 2', async () => {
    const unknown = await run(['certonly', '-d', 'a.example.test', '--dns', 'nosuchdns', '--server', pebble.directoryUrl, ...common()]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('Known providers: acme-dns, cloudflare, manual, rfc2136, route53');
    const missing = await run(['certonly', '-d', 'a.example.test', '--dns', 'rfc2136', '--dns-rfc2136-credentials', join(work, 'nope.ini'), '--server', pebble.directoryUrl, ...common()]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.ini');
    const fresh = await run(['certonly', '-d', 'a.example.test', ...dnsFlags(), '--server', pebble.directoryUrl, '--config-dir', join(work, 'fresh')]);
    expect(fresh.code).toBe(2);
    expect(fresh.err).toContain('--agree-tos');
  });

  it('warns like certbot when the credentials file is readable by others, and still works', async () => {
    const loose = join(work, 'loose.ini');
    await writeRfc2136Credentials(loose, bind);
    await chmod(loose, 0o644);
    const r = await run(['certonly', '-d', 'loose.example.test', '--dns', 'rfc2136', '--dns-rfc2136-credentials', loose, '--dns-resolver', bind.server, '--server', pebble.directoryUrl, ...common()]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/Warning: .*(readable|permission)/i);
  });

  it('obtains a two-name RSA certificate into certbot\u2019s layout', async () => {
    const r = await run(['certonly', '-d', 'example.test,www.example.test', '--key-type', 'rsa', ...dnsFlags(), '--server', pebble.directoryUrl, ...common()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Successfully received certificate.');
    expect(r.out).toContain(`Certificate is saved at: ${join(configDir, 'live', 'example.test', 'fullchain.pem')}`);
    expect(r.out).toContain(`Key is saved at:         ${join(configDir, 'live', 'example.test', 'privkey.pem')}`);
    expect(r.out).toMatch(/This certificate expires on \d{4}-\d{2}-\d{2}\./);
    for (const f of ['cert', 'chain', 'fullchain', 'privkey']) {
      const link = join(configDir, 'live', 'example.test', `${f}.pem`);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(await readlink(link)).toBe(`../../archive/example.test/${f}1.pem`);
    }
    expect((await stat(join(configDir, 'archive', 'example.test', 'privkey1.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(configDir, 'live', 'example.test', 'privkey.pem'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    const conf = await readFile(join(configDir, 'renewal', 'example.test.conf'), 'utf8');
    expect(conf).toMatch(/key_type = rsa/);
    expect(conf).toMatch(/authenticator = dns-rfc2136/);
    // Asked again for the same names: not due, nothing issued.
    const again = await run(['certonly', '-d', 'example.test,www.example.test', '--key-type', 'rsa', ...dnsFlags(), '--server', pebble.directoryUrl, ...common()]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('not yet due for renewal');
  });

  it('prints nothing on stderr when a step failed once and its retry succeeded', async () => {
    let dropped = 0;
    let out = '';
    let err = '';
    // A config dir of its own, so the renew tests below see only their lineages.
    const own = ['--config-dir', join(work, 'retried'), '--agree-tos', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey];
    const code = await main(['certonly', '-d', 'retried.example.test', ...dnsFlags(), '--server', pebble.directoryUrl, ...own], {
      env: { LANG: 'C', HOME: work },
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      waitScale: 0.02,
      // The first finalize request never reaches the CA: FinalizeOrder fails with AcmeNetworkError and is retried.
      fetch: (url: string, init?: RequestInit) => {
        if (url.includes('/finalize-order/') && dropped === 0) {
          dropped++;
          return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }));
        }
        return pebble.fetch(url, init);
      },
    });
    expect(dropped).toBe(1);
    expect(code).toBe(0);
    expect(out).toContain('Successfully received certificate.');
    expect(err).toBe('');
  });

  it('fails with exit 1 and the explanation in Japanese under LANG=ja_JP.UTF-8', async () => {
    const r = await run(['certonly', '-d', 'blocked.test', ...dnsFlags(), '--server', pebble.directoryUrl, ...common()], { LANG: 'ja_JP.UTF-8' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('rejectedIdentifier');
    expect(r.err).toContain('この識別子（FQDN）に対して CA は証明書を発行しません。');
    expect(r.err).toContain('blocked.test');
    // A first issuance that failed leaves no lineage behind.
    expect(await readdir(join(configDir, 'renewal'))).not.toContain('blocked.test.conf');
  });
});

describe('acmeflow renew, certificates, revoke', () => {
  const hookLog = () => join(work, 'hooks.log');
  const hooks = () => ['--deploy-hook', `echo "deploy $RENEWED_LINEAGE $RENEWED_DOMAINS" >> ${hookLog()}`, '--post-hook', `echo post >> ${hookLog()}`];
  const hookLines = async () => (await readFile(hookLog(), 'utf8').catch(() => '')).split('\n').filter(Boolean);

  it('renews nothing when nothing is due: no deploy hook, no post hook', async () => {
    const r = await run(['renew', ...hooks(), ...common()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('not due for renewal');
    expect(r.out).toContain('No renewals were attempted.');
    expect(await hookLines()).toEqual([]);
  });

  it('renews every lineage with --force-renewal: deploy hook once per lineage, post hook once', async () => {
    const r = await run(['renew', '--force-renewal', ...hooks(), ...common()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Congratulations, all renewals succeeded');
    const lines = await hookLines();
    expect(lines.filter((l) => l === 'post')).toHaveLength(1);
    const deploys = lines.filter((l) => l.startsWith('deploy ')).sort();
    expect(deploys).toEqual([
      `deploy ${join(configDir, 'live', 'example.test')} example.test www.example.test`,
      `deploy ${join(configDir, 'live', 'loose.example.test')} loose.example.test`,
    ]);
    expect(await readlink(join(configDir, 'live', 'example.test', 'cert.pem'))).toBe('../../archive/example.test/cert2.pem');
  });

  it('lists the certificates, as text and as JSON', async () => {
    const text = await run(['certificates', ...common()]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Certificate Name: example.test');
    expect(text.out).toContain('Domains: example.test www.example.test');
    expect(text.out).toMatch(/Expiry Date: .* \(VALID: \d+ days\)/);
    const json = await run(['certificates', '--json', ...common()]);
    const parsed = JSON.parse(json.out) as { certificates: { name: string; version: number; keyType: string }[] };
    expect(parsed.certificates.find((c) => c.name === 'example.test')).toMatchObject({ version: 2, keyType: 'rsa-2048' });
  });

  it('revokes by --cert-path, and Pebble says revoked', async () => {
    const certPath = join(configDir, 'live', 'example.test', 'cert.pem');
    const bad = await run(['revoke', '--cert-path', certPath, '--reason', 'because', ...common()]);
    expect(bad.code).toBe(2);
    const r = await run(['revoke', '--cert-path', certPath, '--reason', 'keyCompromise', '--server', pebble.directoryUrl, ...common()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Congratulations! You have successfully revoked the certificate');
    const serial = /serial ([0-9a-f]+)/.exec(r.out)?.[1] as string;
    expect((await pebble.certStatusBySerial(serial)).status).toBe('Revoked');
    const listed = await run(['certificates', ...common()]);
    expect(listed.out).toMatch(/REVOKED/);
    // Revoked again: the CA refuses, and the failure is explained like every other.
    const again = await run(['revoke', '--cert-path', certPath, ...common()]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^The revocation \S+ failed: AcmeProblemError\.\nThe CA refused the request: alreadyRevoked/);
    expect(again.err.trimEnd().split('\n').slice(-2)).toEqual(['  This certificate has already been revoked; nothing more to do.', '  More: acmeflow explain alreadyRevoked']);
  });

  it('explains in Japanese', async () => {
    const r = await run(['explain', 'badRevocationReason'], { LANG: 'ja_JP.UTF-8' });
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('失効理由');
  });
});

describe('the installed command', () => {
  it('runs as a process with the local CA trusted through NODE_EXTRA_CA_CERTS', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/acmeflow.mjs', 'certificates', '--config-dir', configDir], {
      env: { ...process.env, ...pebble.env, LANG: 'C' },
    });
    expect(stdout).toContain('Certificate Name: example.test');
  }, 30_000);

  it('keeps secrets out of the renewal configuration', async () => {
    const conf = await readFile(join(configDir, 'renewal', 'example.test.conf'), 'utf8');
    expect(conf).not.toContain(bind.tsig.secret);
    expect(conf).not.toContain(pebble.eab.hmacKey);
    expect(conf).not.toMatch(/PRIVATE KEY/);
    await writeFile(join(work, 'scan-done'), 'ok');
  });
});
