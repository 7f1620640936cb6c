/**
 * The three ACME clients as the benchmark runs them against one Pebble and one BIND, each with its
 * fastest honest settings: no propagation sleep, no random renewal sleep, the CA and DNS on loopback.
 *
 * - acmeflow: the real command line (`node bin/acmeflow.mjs`: its esbuild bundle, the local
 *   engine); with `ACMEFLOW_CLI_SOURCES=1` the same command from its sources through tsx, for the
 *   start-up comparison only. Its processes get the loopback-dns preload (loopback-dns.mjs).
 * - certbot 2.1 with certbot-dns-rfc2136: `--dns-rfc2136-propagation-seconds 0`, `renew` with
 *   `--no-random-sleep-on-renew`, its own config, work and logs directories.
 * - lego 4.9: `--dns rfc2136 --dns.disable-cp --dns.resolvers <BIND>` with
 *   `RFC2136_SEQUENCE_INTERVAL=1` and `RFC2136_POLLING_INTERVAL=1`; lego has no renew-all, so a
 *   shell loop runs `lego renew --no-random-sleep` per lineage (`--days` past the lifetime forces it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BindHandle } from '../../harness/bind.js';
import type { PebbleHandle } from '../../harness/pebble.js';
import { runMeasured, type Measurement } from './measure.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PRELOAD = pathToFileURL(join(ROOT, 'bench', 'lib', 'loopback-dns.mjs')).href;
const CONTACT = 'bench@example.org';

/** What every client is pointed at. */
export interface BenchSite {
  readonly pebble: PebbleHandle;
  readonly bind: BindHandle;
  /** The benchmark's temporary directory. */
  readonly work: string;
  /** certbot's dns-rfc2136 INI for BIND (mode 0600); acmeflow reads the same file. */
  readonly credentials: string;
}

/** A client's run: one command, measured. */
export type Measured = Measurement & { output: string };

export interface Client {
  /** Row label in the results. */
  readonly label: string;
  /** Untimed: account registration (lego registers on its first `run`, see {@link warmUp}). */
  setup(): Promise<void>;
  /** One two-name RSA-2048 certificate. */
  issue(domains: readonly [string, string]): Promise<Measured>;
  /** Renews every lineage the client holds, the way its operator would do it in one command. */
  renewAll(lineages: readonly (readonly [string, string])[]): Promise<Measured>;
}

/** The environment of a client process: no proxies (everything is on loopback), Pebble's TLS CA trusted. */
function baseEnv(site: BenchSite): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/_proxy$/i.test(key)) env[key] = value;
  return { ...env, ...site.pebble.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
}

/**
 * acmeflow through its command line (`entry` is `bin/acmeflow.mjs`), with extra environment
 * variables when given. Each instance has its own config directory.
 */
export function acmeflowClient(site: BenchSite, options: { label: string; entry: string; configDir: string; env?: NodeJS.ProcessEnv }): Client & {
  /** `acmeflow --version`: the cost of starting the command, nothing else. */
  startOnly(): Promise<Measured>;
} {
  const env = { ...baseEnv(site), ACMEFLOW_BENCH_DNS: site.bind.server, ...options.env };
  const run = (label: string, args: string[]) =>
    runMeasured(process.execPath, ['--import', PRELOAD, options.entry, ...args], { env, cwd: ROOT, label: `${options.label} ${label}` });
  const common = ['--config-dir', options.configDir, '--non-interactive'];
  return {
    label: options.label,
    setup: async () => {
      await run('register', ['register', '-m', CONTACT, '--agree-tos', '--eab-kid', site.pebble.eab.kid, '--eab-hmac-key', site.pebble.eab.hmacKey, '--server', site.pebble.directoryUrl, ...common]);
    },
    issue: (domains) =>
      run('certonly', [
        'certonly',
        '-d',
        domains.join(','),
        '--key-type',
        'rsa',
        '--rsa-key-size',
        '2048',
        '--dns',
        'rfc2136',
        '--dns-rfc2136-credentials',
        site.credentials,
        '--dns-resolver',
        site.bind.server,
        '--server',
        site.pebble.directoryUrl,
        ...common,
      ]),
    renewAll: () => run('renew', ['renew', '--force-renewal', '--no-random-sleep-on-renew', ...common]),
    startOnly: () => run('--version', ['--version']),
  };
}

/** certbot with the dns-rfc2136 plugin, in its own directories under `dir`. */
export function certbotClient(site: BenchSite, dir: string): Client {
  const env = baseEnv(site);
  const common = ['--config-dir', join(dir, 'config'), '--work-dir', join(dir, 'work'), '--logs-dir', join(dir, 'logs'), '--non-interactive'];
  const run = (label: string, args: string[]) => runMeasured('certbot', args, { env, label: `certbot ${label}` });
  return {
    label: 'certbot',
    setup: async () => {
      await run('register', ['register', '--agree-tos', '-m', CONTACT, '--no-eff-email', '--server', site.pebble.directoryUrl, '--eab-kid', site.pebble.eab.kid, '--eab-hmac-key', site.pebble.eab.hmacKey, ...common]);
    },
    issue: (domains) =>
      run('certonly', [
        'certonly',
        '--server',
        site.pebble.directoryUrl,
        '--dns-rfc2136',
        '--dns-rfc2136-credentials',
        site.credentials,
        '--dns-rfc2136-propagation-seconds',
        '0',
        '--cert-name',
        domains[0],
        '-d',
        domains[0],
        '-d',
        domains[1],
        '--key-type',
        'rsa',
        '--rsa-key-size',
        '2048',
        ...common,
      ]),
    renewAll: () => run('renew', ['renew', '--force-renewal', '--no-random-sleep-on-renew', ...common]),
  };
}

/** lego with the rfc2136 provider, its data under `dir`. */
export function legoClient(site: BenchSite, dir: string): Client {
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(site),
    LEGO_CA_CERTIFICATES: site.pebble.caCertPath,
    RFC2136_NAMESERVER: site.bind.server,
    // lego (miekg/dns) names TSIG algorithms as FQDNs.
    RFC2136_TSIG_ALGORITHM: `${site.bind.tsig.algorithm}.`,
    RFC2136_TSIG_KEY: site.bind.tsig.name,
    RFC2136_TSIG_SECRET: site.bind.tsig.secret,
    RFC2136_SEQUENCE_INTERVAL: '1',
    RFC2136_POLLING_INTERVAL: '1',
  };
  const global = [
    '--path',
    dir,
    '--server',
    site.pebble.directoryUrl,
    '--accept-tos',
    '--email',
    CONTACT,
    '--eab',
    '--kid',
    site.pebble.eab.kid,
    '--hmac',
    site.pebble.eab.hmacKey,
    '--dns',
    'rfc2136',
    '--dns.disable-cp',
    '--dns.resolvers',
    site.bind.server,
    '--key-type',
    'rsa2048',
  ];
  const domainArgs = (domains: readonly string[]) => domains.flatMap((d) => ['-d', d]);
  return {
    label: 'lego',
    setup: async () => undefined,
    issue: (domains) => runMeasured('lego', [...global, ...domainArgs(domains), 'run'], { env, label: 'lego run' }),
    renewAll: async (lineages) => {
      // Pebble's certificates live five years; asking to renew with more days left than that forces it.
      const lines = lineages.map((domains) => ['lego', ...global, ...domainArgs(domains), 'renew', '--days', '100000', '--no-random-sleep'].map(shellQuote).join(' '));
      const script = join(dir, 'renew-all.sh');
      await mkdir(dir, { recursive: true });
      await writeFile(script, ['#!/bin/sh', 'set -e', ...lines, ''].join('\n'), { mode: 0o700 });
      return runMeasured('/bin/sh', [script], { env, label: 'lego renew loop' });
    },
  };
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=,+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
