/**
 * Bad input through the `acmeflow` command (in process, `main()`): names, key types, EAB, CA URLs,
 * credentials files and config files that are wrong. Each must end with a clear message naming the
 * problem and exit 2 (bad usage: no network call made) or exit 1 with a typed error (what the CA or
 * the network said) — and nothing written: the config directory is byte for byte what it was (a
 * fresh one is not even created). Valid but unusual names (upper case, IDN, duplicates) are
 * normalised and issued.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { chmod, cp, lstat, mkdtemp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDirectoryCache } from '../../shared/acme/index.js';
import { parseCertificate } from '../../shared/crypto/index.js';
import { FilesystemCertificateStore } from '../../shared/store/filesystem/index.js';
import { startBind, type BindHandle } from '../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../harness/workflow-deps.js';
import { CliRunner, type CliRun } from './support/cli-process.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { ReportSection } from './support/report.js';
import { reportHygiene, SecretLedger } from './support/secret-scan.js';

const report = new ReportSection('bad-input');
const hygiene = new SecretLedger();
const CLOUDFLARE_TOKEN = 'cf-token-9d8c7b6a5f4e3d2c1b0a-reliability';

let bind: BindHandle;
let pebble: PebbleHandle;
let proxy: FaultProxy;
let work: string;
/** A config dir with the account registered and one certificate: the starting point of most cases. */
let base: string;
let credentials: string;

interface BadInputRun extends CliRun {
  /** Requests the command sent to the CA. */
  readonly requests: number;
}

let cli: CliRunner;

/** `acmeflow <args>` in process, counting the requests it sends to the CA. */
async function run(args: readonly string[], options: { fetch?: typeof fetch } = {}): Promise<BadInputRun> {
  let requests = 0;
  const upstream = options.fetch ?? pebble.fetch;
  clearDirectoryCache();
  const result = await cli.run(args, {
    waitScale: 0.01,
    fetch: (url: string, init?: RequestInit) => {
      requests++;
      return upstream(url, init);
    },
  });
  return { ...result, requests };
}

/** `acmeflow <args>` as a child process that sees no AWS credentials of this machine (requests to the CA are not counted). */
async function runIsolated(args: readonly string[]): Promise<BadInputRun> {
  const r = await cli.spawn(args, { isolated: true, env: pebble.env });
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr, requests: -1 };
}

/** Every file (and link target) under `dir`, with a hash of its content: what "nothing written" compares. */
async function snapshot(dir: string): Promise<Record<string, string> | 'absent'> {
  const exists = await lstat(dir).catch(() => undefined);
  if (!exists) return 'absent';
  const out: Record<string, string> = {};
  const walk = async (path: string): Promise<void> => {
    for (const name of await readdir(path)) {
      const full = join(path, name);
      const info = await lstat(full);
      const rel = relative(dir, full);
      if (info.isSymbolicLink()) out[rel] = `-> ${await readlink(full)}`;
      else if (info.isDirectory()) {
        out[`${rel}/`] = `dir ${(info.mode & 0o777).toString(8)}`;
        await walk(full);
      } else out[rel] = `${(info.mode & 0o777).toString(8)} ${createHash('sha256').update(await readFile(full)).digest('hex').slice(0, 16)}`;
    }
  };
  await walk(dir);
  return out;
}

function changes(before: Record<string, string> | 'absent', after: Record<string, string> | 'absent'): string[] {
  if (before === 'absent' || after === 'absent') return before === after ? [] : [`the config dir was ${after === 'absent' ? 'removed' : 'created'}`];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k] ?? '(none)'} → ${after[k] ?? '(gone)'}`);
}

const dnsFlags = () => ['--dns', 'rfc2136', '--dns-rfc2136-credentials', credentials, '--dns-resolver', bind.server];

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server });
  proxy = await startFaultProxy({ upstream: pebble.directoryUrl, upstreamCaPem: pebble.caCertPem });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-bad-input-'));
  credentials = join(work, 'rfc2136.ini');
  await writeRfc2136Credentials(credentials, bind);
  hygiene.secret('EAB HMAC key', pebble.eab.hmacKey);
  hygiene.secret('TSIG secret', bind.tsig.secret);
  hygiene.secret('Cloudflare API token', CLOUDFLARE_TOKEN);
  hygiene.secretFile(credentials);
  hygiene.dir(work);
  cli = new CliRunner({ home: work });
  base = join(work, 'base');
  const first = await run(['certonly', '-d', 'base.example.test', ...dnsFlags(), '--server', pebble.directoryUrl, '--agree-tos', '-m', 'ops@example.test', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey, '--config-dir', base]);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
});

afterAll(async () => {
  report.note('Fixed on the way: a failed `register`/first `certonly` (unreachable or non-ACME URL; wrong, expired or missing EAB) left an unregistered account key (and the config dir) behind; the CLI now reads the directory before storing a key and removes a key the CA refused to register (cli/account.ts), and a lineage\u2019s broken EAB file is read before a key is generated (shared/workflow/account.ts; regressions.test.ts §6).');
  report.write();
  await proxy?.stop();
  await pebble?.stop();
  await bind?.stop();
});

interface Case {
  readonly group: string;
  readonly input: string;
  /** The command line, given the config dir to use. */
  readonly args: (dir: string) => string[];
  /** Start from a copy of the base config dir (account and a certificate), or from nothing. */
  readonly from: 'base' | 'fresh';
  /** 2: bad usage (no request sent), or 1 with a typed error named in the message. */
  readonly exit: 2 | 1;
  /** What the message must say. */
  readonly says: RegExp;
  /** What it must not say (a misleading line fixed once). */
  readonly saysNot?: RegExp;
  readonly fetch?: () => typeof fetch;
  readonly prepare?: (dir: string) => Promise<void>;
  /** Writes that are the typed error's own record (the lineage's failure, for backoff), not leftovers. */
  readonly records?: RegExp;
  /**
   * Run as a child process with an isolated environment (PATH and Pebble's CA only): for cases about
   * credentials the AWS SDK looks for in the process environment, ~/.aws and instance metadata.
   */
  readonly isolatedProcess?: boolean;
}

const many = (n: number) => Array.from({ length: n }, (_, i) => `n${i}.example.test`).join(',');
const server = () => ['--server', pebble.directoryUrl];

const CASES: readonly Case[] = [
  { group: 'names', input: 'no -d at all', args: (d) => ['certonly', ...dnsFlags(), ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /-d/ },
  { group: 'names', input: 'empty name `-d ""`', args: (d) => ['certonly', '-d', '', ...dnsFlags(), ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /No domain names were given/ },
  { group: 'names', input: 'blank name `-d " "`', args: (d) => ['certonly', '-d', ' ', ...dnsFlags(), ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /No domain names were given/ },
  { group: 'names', input: 'a 64-character label', args: (d) => ['certonly', '-d', `${'a'.repeat(64)}.example.test`, ...dnsFlags(), ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /longer than 63 characters/ },
  {
    group: 'names',
    input: 'a 254-character name',
    args: (d) => ['certonly', '-d', `${Array.from({ length: 4 }, () => 'b'.repeat(60)).join('.')}.example.test`, ...dnsFlags(), ...server(), '--config-dir', d],
    from: 'fresh',
    exit: 2,
    says: /the limit is 253/,
  },
  { group: 'names', input: 'underscore `ex_ample.test`', args: (d) => ['certonly', '-d', 'ex_ample.example.test', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /may hold only letters, digits and inner hyphens/ },
  { group: 'names', input: 'shell characters `a;rm -rf x.test`', args: (d) => ['certonly', '-d', 'a;rm -rf x.example.test', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /may hold only letters/ },
  { group: 'names', input: 'leading hyphen `-x.example.test`', args: (d) => ['certonly', '--domains=-x.example.test', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /inner hyphens/ },
  { group: 'names', input: 'wildcard not leftmost `*.*.example.test`', args: (d) => ['certonly', '-d', '*.*.example.test', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /wildcard may only be the whole leftmost label/ },
  { group: 'names', input: 'partial wildcard `w*.example.test`', args: (d) => ['certonly', '-d', 'w*.example.test', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /wildcard/ },
  { group: 'names', input: 'empty label `x..y`', args: (d) => ['certonly', '-d', 'x..example.test', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /empty label/ },
  { group: 'names', input: 'IPv4 address', args: (d) => ['certonly', '-d', '192.0.2.1', ...dnsFlags(), ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /IP addresses cannot be validated with dns-01/ },
  { group: 'names', input: 'IPv6 address', args: (d) => ['certonly', '-d', '2001:db8::1', ...dnsFlags(), ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /IP addresses/ },
  { group: 'names', input: 'single label `localhost`', args: (d) => ['certonly', '-d', 'localhost', ...dnsFlags(), ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /at least two labels/ },
  { group: 'names', input: 'all-digit top-level label `a.123`', args: (d) => ['certonly', '-d', 'example.123', ...dnsFlags(), ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /top-level label cannot be all digits/ },
  { group: 'names', input: '101 names', args: (d) => ['certonly', '-d', many(101), ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /at most 100/ },
  { group: 'names', input: 'a lineage name with a path `--cert-name ../x`', args: (d) => ['certonly', '-d', 'x.example.test', '--cert-name', '../x', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /--cert-name \.\.\/x/ },
  { group: 'key type', input: '`--key-type dsa`', args: (d) => ['certonly', '-d', 'k.example.test', '--key-type', 'dsa', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /--key-type dsa: use rsa or ecdsa/ },
  { group: 'key type', input: '`--rsa-key-size 1024`', args: (d) => ['certonly', '-d', 'k.example.test', '--rsa-key-size', '1024', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /2048, 3072 or 4096/ },
  { group: 'key type', input: '`--elliptic-curve secp521r1`', args: (d) => ['certonly', '-d', 'k.example.test', '--elliptic-curve', 'secp521r1', ...dnsFlags(), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /secp256r1 or secp384r1/ },
  {
    group: 'key type',
    input: '`--key-type rsa --elliptic-curve secp384r1`',
    args: (d) => ['certonly', '-d', 'k.example.test', '--key-type', 'rsa', '--elliptic-curve', 'secp384r1', ...dnsFlags(), ...server(), '--config-dir', d],
    from: 'base',
    exit: 2,
    says: /--elliptic-curve goes with --key-type ecdsa/,
  },
  { group: 'EAB', input: 'missing, for a CA preset that requires it (`--ca jprs`)', args: (d) => ['certonly', '-d', 'e.example.test', '--ca', 'jprs', '--agree-tos', ...dnsFlags(), '--config-dir', d], from: 'fresh', exit: 2, says: /requires External Account Binding/ },
  {
    group: 'EAB',
    input: 'missing, for a CA that says it requires it',
    args: (d) => ['register', '--agree-tos', ...server(), '--config-dir', d],
    from: 'fresh',
    exit: 1,
    // Refused before sending: said once, in acmeflow's words, not labelled as the CA's detail.
    says: /^The registration was not sent: externalAccountRequired\n {2}Detail: The CA's directory requires External Account Binding \(meta\.externalAccountRequired\) and none was given/,
    saysNot: /Detail from the CA|(requires External Account Binding[\s\S]*){3}/,
  },
  { group: 'EAB', input: 'half given (`--eab-kid` only)', args: (d) => ['register', '--agree-tos', '--eab-kid', pebble.eab.kid, ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /needs both --eab-kid and --eab-hmac-key/ },
  { group: 'EAB', input: 'HMAC key not base64url', args: (d) => ['register', '--agree-tos', '--eab-kid', 'kid', '--eab-hmac-key', 'not base64!!', ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /--eab-hmac-key/ },
  { group: 'EAB', input: 'unknown HMAC algorithm', args: (d) => ['register', '--agree-tos', '--eab-kid', 'kid', '--eab-hmac-key', pebble.eab.hmacKey, '--eab-hmac-alg', 'MD5', ...server(), '--config-dir', d], from: 'fresh', exit: 2, says: /HS256, HS384 or HS512/ },
  {
    group: 'EAB',
    input: 'wrong (a valid key the CA does not know)',
    args: (d) => ['register', '--agree-tos', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', Buffer.alloc(32, 9).toString('base64url'), ...server(), '--config-dir', d],
    from: 'fresh',
    exit: 1,
    says: /unauthorized|malformed|External Account Binding/i,
  },
  {
    group: 'EAB',
    input: 'expired (the CA answers unauthorized)',
    args: (d) => ['register', '--agree-tos', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey, '--server', proxy.directoryUrl, '--config-dir', d],
    fetch: () => {
      proxy.script([{ path: /^\/sign-me-up/, times: Infinity, fault: { kind: 'status', status: 403, problem: 'unauthorized' } }]);
      return proxy.fetch;
    },
    from: 'fresh',
    exit: 1,
    says: /unauthorized/,
  },
  { group: 'CA URL', input: 'not a URL', args: (d) => ['register', '--agree-tos', '--server', 'acme example', '--config-dir', d], from: 'fresh', exit: 2, says: /not a URL/ },
  { group: 'CA URL', input: 'not https (`ftp://`)', args: (d) => ['register', '--agree-tos', '--server', 'ftp://127.0.0.1/dir', '--config-dir', d], from: 'fresh', exit: 2, says: /must be https/ },
  { group: 'CA URL', input: 'unknown preset `--ca nosuchca`', args: (d) => ['register', '--agree-tos', '--ca', 'nosuchca', '--config-dir', d], from: 'fresh', exit: 2, says: /unknown CA/ },
  { group: 'CA URL', input: 'unreachable (nothing listens)', args: (d) => ['register', '--agree-tos', '--server', 'https://127.0.0.1:9/dir', '--config-dir', d], fetch: () => pebble.fetch, from: 'fresh', exit: 1, says: /AcmeNetworkError/ },
  {
    group: 'CA URL',
    input: 'not an ACME server (a JSON document without newNonce)',
    args: (d) => ['register', '--agree-tos', '--server', `${pebble.managementUrl}/roots/0`, '--config-dir', d],
    from: 'fresh',
    exit: 1,
    says: /AcmeInvalidResponseError|is this an ACME directory URL/,
  },
  {
    group: 'CA URL',
    input: 'not an ACME server (an HTML page)',
    args: (d) => ['register', '--agree-tos', '--server', `${proxy.origin}/dir`, '--config-dir', d],
    fetch: () => {
      proxy.script([{ path: /^\/dir/, times: Infinity, fault: { kind: 'status', status: 200, body: '<html><body>Welcome</body></html>', contentType: 'text/html' } }]);
      return proxy.fetch;
    },
    from: 'fresh',
    exit: 1,
    says: /AcmeInvalidResponseError|expected a JSON object/,
  },
  {
    group: 'credentials',
    input: 'a TSIG secret the DNS server does not know',
    args: (d) => ['certonly', '-d', 'tsig.example.test', '--dns', 'rfc2136', '--dns-rfc2136-credentials', join(work, 'rfc2136-wrong-secret.ini'), '--dns-resolver', bind.server, ...server(), '--config-dir', d],
    prepare: async () => {
      const good = await readFile(credentials, 'utf8');
      await writeFile(join(work, 'rfc2136-wrong-secret.ini'), good.replace(/^dns_rfc2136_secret = .*$/m, `dns_rfc2136_secret = ${Buffer.alloc(32, 7).toString('base64')}`), { mode: 0o600 });
    },
    from: 'base',
    exit: 1,
    says: /Certificate for tsig\.example\.test failed: Rfc2136TsigError\.[\s\S]*Nothing was published/,
    // Nothing was published, so no line may claim records remain.
    saysNot: /remain|Warning/,
  },
  {
    group: 'credentials',
    input: 'a zone the DNS server does not serve',
    args: (d) => ['certonly', '-d', 'www.unserved.test', ...dnsFlags(), ...server(), '--config-dir', d],
    from: 'base',
    exit: 1,
    says: /Certificate for www\.unserved\.test failed: Rfc2136ZoneError\.[\s\S]*does not serve a zone/,
    saysNot: /remain|Warning/,
  },
  { group: 'credentials', input: 'DNS provider missing (`--dns` not given)', args: (d) => ['certonly', '-d', 'c.example.test', ...server(), '--config-dir', d], from: 'base', exit: 2, says: /Choose a DNS provider/ },
  { group: 'credentials', input: 'unknown DNS provider', args: (d) => ['certonly', '-d', 'c.example.test', '--dns', 'nosuchdns', ...server(), '--config-dir', d], from: 'base', exit: 2, says: /Unknown DNS provider "nosuchdns"/ },
  { group: 'credentials', input: 'credentials file missing', args: (d) => ['certonly', '-d', 'c.example.test', '--dns', 'rfc2136', '--dns-rfc2136-credentials', join(work, 'nope.ini'), ...server(), '--config-dir', d], from: 'base', exit: 2, says: /nope\.ini/ },
  { group: 'credentials', input: 'credentials file not given', args: (d) => ['certonly', '-d', 'c.example.test', '--dns', 'rfc2136', ...server(), '--config-dir', d], from: 'base', exit: 2, says: /needs its credentials file/ },
  {
    group: 'credentials',
    input: 'Route 53 with no AWS credentials anywhere (no environment, no ~/.aws, no instance metadata)',
    args: (d) => ['certonly', '-d', 'r53.example.test', '--dns', 'route53', ...server(), '--config-dir', d],
    isolatedProcess: true,
    from: 'base',
    exit: 1,
    says: /Route53CredentialsError[\s\S]*AWS_PROFILE/,
  },
  {
    group: 'credentials',
    input: 'credentials path is a directory',
    args: (d) => ['certonly', '-d', 'c.example.test', '--dns', 'rfc2136', '--dns-rfc2136-credentials', work, ...server(), '--config-dir', d],
    from: 'base',
    exit: 2,
    says: /not a regular file|EISDIR|directory/,
  },
  {
    group: 'config files',
    input: 'broken INI (rfc2136 credentials without server or secret)',
    args: (d) => ['certonly', '-d', 'c.example.test', '--dns', 'rfc2136', '--dns-rfc2136-credentials', join(work, 'broken.ini'), ...server(), '--config-dir', d],
    prepare: async () => writeFile(join(work, 'broken.ini'), '[section\nthis is = = not\n\u0000garbage\n', { mode: 0o600 }),
    from: 'base',
    exit: 2,
    says: /broken\.ini/,
  },
  {
    group: 'config files',
    input: 'broken INI (Cloudflare credentials without a token)',
    args: (d) => ['certonly', '-d', 'c.example.test', '--dns', 'cloudflare', '--dns-cloudflare-credentials', join(work, 'cloudflare.ini'), ...server(), '--config-dir', d],
    prepare: async () => writeFile(join(work, 'cloudflare.ini'), `dns_cloudflare_api_tokn = ${CLOUDFLARE_TOKEN}\n`, { mode: 0o600 }),
    from: 'base',
    exit: 2,
    says: /cloudflare\.ini/,
  },
  {
    group: 'config files',
    input: 'broken JSON (acme-dns registrations)',
    args: (d) => ['certonly', '-d', 'c.example.test', '--dns', 'acme-dns', '--dns-acme-dns-credentials', join(work, 'acmedns.json'), ...server(), '--config-dir', d],
    prepare: async () => writeFile(join(work, 'acmedns.json'), '{ "c.example.test": { "username": ', { mode: 0o600 }),
    from: 'base',
    exit: 2,
    says: /acmedns\.json/,
  },
  {
    group: 'config files',
    input: 'broken renewal conf (`renew --cert-name` of a garbled renewal/NAME.conf)',
    args: (d) => ['renew', '--force-renewal', '--cert-name', 'base.example.test', '--config-dir', d],
    prepare: async (d) => writeFile(join(d, 'renewal', 'base.example.test.conf'), '[[[ not an ini file\n= = =\n'),
    from: 'base',
    // Issue 16 item 2: an unreadable lineage is reported by name with its parse error, the others
    // renew, and the run fails (exit 1): a sweep result, not a usage error.
    exit: 1,
    says: /Could not read the lineage base\.example\.test \(RenewalConfError\).*line 1/,
  },
  {
    group: 'config files',
    input: 'broken EAB JSON file named by a lineage (a renewal with no account yet)',
    args: (d) => ['renew', '--force-renewal', '--cert-name', 'eabfile', '--config-dir', d],
    prepare: async (d) => {
      await writeFile(join(work, 'eab-broken.json'), `{"kid": "${pebble.eab.kid}", "hmacKey": `, { mode: 0o600 });
      const store = new FilesystemCertificateStore({ configDir: d });
      const spec = (await store.getLineage('base.example.test'))!.lineage.spec;
      await store.putLineage({ spec: { ...spec, name: 'eabfile', domains: ['eabfile.example.test'], ca: { ...spec.ca, directoryUrl: proxy.directoryUrl, eabRef: join(work, 'eab-broken.json') } }, state: { currentVersion: 0 } }, { expectedEtag: null });
    },
    fetch: () => proxy.fetch,
    from: 'base',
    exit: 1,
    says: /EabCredentialsError[\s\S]*does not hold JSON/,
    records: /^renewal\/eabfile\.conf:/,
  },
];

describe('bad input: a clear message, exit 2 or a typed error, nothing written', () => {
  for (const c of CASES) {
    it(`${c.group}: ${c.input}`, async () => {
      const dir = join(work, `case-${createHash('sha256').update(c.input).digest('hex').slice(0, 8)}`);
      if (c.from === 'base') await cp(base, dir, { recursive: true, verbatimSymlinks: true });
      hygiene.dir(dir);
      await c.prepare?.(dir);
      const before = await snapshot(dir);
      const result = c.isolatedProcess ? await runIsolated(c.args(dir)) : await run(c.args(dir), c.fetch ? { fetch: c.fetch() } : {});
      proxy.clear();
      const after = await snapshot(dir);
      const problems: string[] = [];
      const message = `${result.stderr}${result.stdout}`;
      if (result.code !== c.exit) problems.push(`exit ${result.code}, expected ${c.exit}: ${message.trim().slice(0, 300)}`);
      if (!c.says.test(message)) problems.push(`the message does not say ${c.says}: ${message.trim().slice(0, 300)}`);
      if (c.saysNot?.test(message)) problems.push(`the message says ${c.saysNot}: ${message.trim().slice(0, 300)}`);
      if (c.exit === 1) {
        // Every failure ends with its explanation and the explain command, which answers.
        const last = result.stderr.trimEnd().split('\n').at(-1) ?? '';
        const type = /^ {2}More: acmeflow explain (\S+)$/.exec(last)?.[1];
        if (!type) problems.push(`the failure does not end with "More: acmeflow explain <type>": “${last}”`);
        else if ((await cli.run(['explain', type])).code !== 0) problems.push(`"acmeflow explain ${type}" does not answer`);
      }
      if (c.exit === 2 && result.requests > 0) problems.push(`${result.requests} requests sent to the CA on bad usage`);
      if (/at .*\.ts:\d+|\n\s+at /.test(message)) problems.push('a stack trace was printed');
      const written = changes(before, after);
      const recorded = written.filter((p) => c.records?.test(p));
      problems.push(...written.filter((p) => !recorded.includes(p)).map((p) => `written: ${p}`));
      const firstLine = message.trim().split('\n').find((l) => !l.startsWith('Warning')) ?? '';
      report.add({
        fault: `${c.group}: ${c.input}`,
        runs: 1,
        outcome: `exit ${result.code}: “${firstLine.slice(0, 140)}”`,
        lost: problems.length > 0 ? problems.join('; ') : recorded.length > 0 ? 'nothing (only the failure, recorded on the lineage for backoff)' : 'nothing (nothing written)',
      });
      expect(problems).toEqual([]);
    });
  }
});

describe('valid but unusual input', () => {
  it('normalises upper case and IDN names (and drops duplicates), and issues for them', async () => {
    const dir = join(work, 'idn');
    hygiene.dir(dir);
    await cp(base, dir, { recursive: true, verbatimSymlinks: true });
    const r = await run(['certonly', '-d', 'WWW.Example.TEST,Bücher.example.test.,www.example.test', ...dnsFlags(), ...server(), '--config-dir', dir]);
    const problems: string[] = [];
    if (r.code !== 0) problems.push(`exit ${r.code}: ${r.stderr}`);
    const spec = (await new FilesystemCertificateStore({ configDir: dir }).getLineage('www.example.test'))?.lineage.spec;
    const wanted = ['www.example.test', 'xn--bcher-kva.example.test'];
    if (JSON.stringify(spec?.domains) !== JSON.stringify(wanted)) problems.push(`lineage domains ${JSON.stringify(spec?.domains)}`);
    const cert = await readFile(join(dir, 'live', 'www.example.test', 'cert.pem'), 'utf8').catch(() => '');
    const sans = cert ? [...parseCertificate(cert).domains].sort() : [];
    if (JSON.stringify(sans) !== JSON.stringify(wanted)) problems.push(`certificate names ${JSON.stringify(sans)}`);
    report.add({
      fault: 'names: `WWW.Example.TEST,Bücher.example.test.,www.example.test`',
      runs: 1,
      outcome: `exit ${r.code}; lineage www.example.test for ${wanted.join(', ')} (lower case, IDNA A-label, trailing dot and duplicate dropped)`,
      lost: problems.length === 0 ? 'nothing' : problems.join('; '),
    });
    expect(problems).toEqual([]);
  });

  it('warns about a credentials file others can read, as certbot does, and goes on (dry run: nothing stored)', async () => {
    const dir = join(work, 'loose');
    await cp(base, dir, { recursive: true, verbatimSymlinks: true });
    hygiene.dir(dir);
    const loose = join(work, 'loose.ini');
    await writeRfc2136Credentials(loose, bind);
    await chmod(loose, 0o644);
    hygiene.secretFile(loose);
    const before = await snapshot(dir);
    const r = await run(['certonly', '-d', 'base.example.test', '--dry-run', '--dns', 'rfc2136', '--dns-rfc2136-credentials', loose, '--dns-resolver', bind.server, ...server(), '--config-dir', dir]);
    const after = await snapshot(dir);
    const problems = [
      ...(r.code === 0 ? [] : [`exit ${r.code}: ${r.stderr}`]),
      ...(/Warning: Unsafe permissions on credentials configuration file .*loose\.ini .*chmod 600/.test(r.stderr) ? [] : [`no warning: ${r.stderr}`]),
      ...changes(before, after)
        // The dry run's own bookkeeping of the lineage is allowed; no certificate, key or account file.
        .filter((p) => !p.startsWith('renewal/') && !p.startsWith('locks/'))
        .map((p) => `written: ${p}`),
    ];
    report.add({
      fault: 'credentials: file readable by others (mode 0644)',
      runs: 1,
      outcome: `exit ${r.code}; “${r.stderr.trim().split('\n')[0]?.slice(0, 140)}”; the dry run succeeded`,
      lost: problems.length === 0 ? 'nothing (no certificate, key or account written)' : problems.join('; '),
    });
    expect(problems).toEqual([]);
  });
});

describe('secret hygiene of this file', () => {
  it('kept key material, the EAB HMAC key, the TSIG secret and the API token out of the output and files', async () => {
    hygiene.workflow({ outputs: cli.outputs });
    for (const file of ['cloudflare.ini', 'broken.ini', 'acmedns.json', 'eab-broken.json']) hygiene.secretFile(join(work, file));
    const summary = await reportHygiene(hygiene, '5-bad-input', 'the bad-input matrix');
    expect(summary.findings).toEqual([]);
  });
});
