import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createAcmeContext, EabCredentialsError, parseEabCredentials, type AcmeContext, type ExternalAccountBinding, type FetchFunction, type HttpTransport } from '../shared/acme/index.js';
import type { LineageSpec } from '../shared/config/index.js';
import { nodeResolver } from '../shared/dns/node-resolver.js';
import { checkPropagation } from '../shared/dns/propagation.js';
import { findZoneSigning } from '../shared/dns/zone-signing.js';
import type { DnsProvider } from '../shared/dns/provider.js';
import { createProvider } from '../shared/dns/providers/registry.js';
import type { EventPublisher } from '../shared/events/events.js';
import { FilesystemCertificateStore, FilesystemKeyStore, FilesystemLineageLock } from '../shared/store/filesystem/index.js';
import type { Logger, WorkflowDeps } from '../shared/workflow/index.js';
import type { SweepStore } from '../shared/store/index.js';
import { AcmeDnsCredentialsError } from './errors.js';

/**
 * The {@link WorkflowDeps} of the local engine: certbot's layout under the config dir, the CA over
 * the given fetch, DNS providers with certbot's credentials files, EAB from the command line or a
 * file. The events publisher and the sweep store are the engine's (per run).
 */

/** EAB credentials (RFC 8555 §7.3.4) as the command line or a file gives them, parsed by `parseEabCredentials`. */
export type LocalEab = ExternalAccountBinding;

export interface LocalDepsOptions {
  readonly configDir: string;
  readonly fetch?: FetchFunction;
  /** How the ACME layer sends requests; wins over `fetch`. @default the ACME layer's node:http/https transport */
  readonly transport?: HttpTransport;
  /** Per-request timeout of every ACME request (`createAcmeContext`'s `timeoutMs`). @default 30000 */
  readonly acmeTimeoutMs?: number;
  /** Nameservers the propagation check asks, overriding each lineage's own. */
  readonly resolvers?: readonly string[];
  /** How long the propagation check waits, in seconds, overriding each lineage's own. */
  readonly propagationTimeoutSeconds?: number;
  /** EAB given for this run; wins over every lineage's `eabRef`. */
  readonly eab?: LocalEab;
  readonly log: Logger;
  readonly now: () => Date;
  readonly random?: () => number;
  readonly events: EventPublisher;
  readonly sweeps: SweepStore;
  /** ACME contexts by directory URL, kept by the engine across runs (nonces are reused). */
  readonly contexts: Map<string, AcmeContext>;
  /** Where the DNS providers and the credential files read the environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Warns when a credentials file is readable by group or others, as certbot does for its INI files. */
async function warnIfOpen(path: string, log: Logger, what: string): Promise<void> {
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    log.warn(`Unsafe permissions on ${what} file: it should be readable by its owner only (chmod 600).`, { path, mode: `0${mode.toString(8)}` });
  }
}

/**
 * Reads an EAB credentials file: JSON `{ "kid": "...", "hmacKey": "...", "algorithm": "HS256" }`
 * (algorithm optional). A file readable by others is used, with a warning. Messages never quote
 * the key, and a JSON syntax error (whose message quotes the text) is not kept as the cause.
 *
 * @example
 * ```ts
 * const eab = await readEabFile('/etc/acmeflow/eab/jprs.json', log);
 * ```
 */
export async function readEabFile(path: string, log: Logger): Promise<ExternalAccountBinding> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EabCredentialsError('file', path, 'cannot be read', { cause: err });
  }
  await warnIfOpen(path, log, 'the EAB credentials');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EabCredentialsError('file', path, 'does not hold JSON');
  }
  return parseEabCredentials(parsed, { source: 'file', ref: path });
}

/**
 * Reads certbot's acme-dns plugin registrations (`acmedns.json`):
 * `{ "example.com": { "username", "password", "fulldomain", "subdomain", "server_url" } }`.
 * The provider's own schema checks each registration.
 */
export async function readAcmeDnsRegistrations(path: string, log: Logger): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AcmeDnsCredentialsError(path, 'cannot be read', { cause: err });
  }
  await warnIfOpen(path, log, 'the acme-dns registrations');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AcmeDnsCredentialsError(path, 'does not hold JSON');
  }
  if (!isObject(parsed) || !Object.values(parsed).every(isObject)) throw new AcmeDnsCredentialsError(path, 'is not an object of registrations by domain');
  return parsed;
}

/**
 * The DNS provider of a lineage, locally: `credentialsRef` is a certbot credentials file —
 * the INI of certbot-dns-rfc2136 / certbot-dns-cloudflare (`credentialsFile` of those providers),
 * the `acmedns.json` of certbot-dns-acmedns (its registrations) — and Route 53 uses the AWS SDK's
 * default credential chain (environment, profile, instance role).
 */
export async function localDnsProvider(
  dns: LineageSpec['dns'],
  deps: { readonly log: Logger; readonly env?: Readonly<Record<string, string | undefined>>; readonly random?: () => number },
): Promise<DnsProvider> {
  const warn = (message: string) => deps.log.warn(message);
  const env = deps.env ?? process.env;
  switch (dns.provider) {
    case 'rfc2136':
      return createProvider('rfc2136', { ...dns.config, ...(dns.credentialsRef ? { credentialsFile: dns.credentialsRef } : {}) }, { warn, env });
    case 'cloudflare':
      return createProvider('cloudflare', { ...dns.config, ...(dns.credentialsRef ? { credentialsFile: dns.credentialsRef } : {}) }, { warn, env });
    case 'acme-dns': {
      const registrations = dns.credentialsRef ? await readAcmeDnsRegistrations(dns.credentialsRef, deps.log) : {};
      return createProvider('acme-dns', { ...dns.config, registrations: { ...(dns.config.registrations as object | undefined), ...registrations } });
    }
    case 'route53':
      return createProvider('route53', dns.config, { ...(deps.random ? { random: deps.random } : {}) });
    default:
      // Unknown codes get the registry's UnknownDnsProviderError listing the known ones.
      return createProvider(dns.provider, dns.config, { warn, env });
  }
}

/** The local engine's {@link WorkflowDeps} for one run. */
export function localWorkflowDeps(options: LocalDepsOptions): WorkflowDeps {
  const { configDir, log, now } = options;
  const random = options.random ?? Math.random;
  const acme = (directoryUrl: string): AcmeContext => {
    let ctx = options.contexts.get(directoryUrl);
    if (!ctx) {
      ctx = createAcmeContext({
        directoryUrl,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.transport ? { transport: options.transport } : {}),
        ...(options.acmeTimeoutMs === undefined ? {} : { timeoutMs: options.acmeTimeoutMs }),
        now,
      });
      options.contexts.set(directoryUrl, ctx);
    }
    return ctx;
  };
  const resolvers = options.resolvers && options.resolvers.length > 0 ? [...options.resolvers] : undefined;
  return {
    store: new FilesystemCertificateStore({ configDir }),
    keys: new FilesystemKeyStore({ configDir }),
    lock: new FilesystemLineageLock({ configDir, now }),
    events: options.events,
    sweeps: options.sweeps,
    acme,
    dnsProvider: (dns) => localDnsProvider(dns, { log, random, ...(options.env ? { env: options.env } : {}) }),
    resolveEab: async (ref) => (options.eab ? { ...options.eab } : readEabFile(ref, log)),
    // --dns-resolver overrides the lineage's resolvers for the propagation check and the CNAME lookups.
    checkPropagation: (records, checkOptions) => checkPropagation(records, resolvers ? { ...checkOptions, resolvers } : checkOptions),
    ...(resolvers ? { cnameResolver: nodeResolver({ servers: resolvers }) } : {}),
    zoneSigning: (name, lineageResolvers) => findZoneSigning(name, { resolvers: resolvers ?? lineageResolvers }),
    ...(options.propagationTimeoutSeconds === undefined ? {} : { propagationTimeoutSeconds: options.propagationTimeoutSeconds }),
    locate: (lineage) => ({ location: join(configDir, 'live', lineage), keyLocation: join(configDir, 'live', lineage, 'privkey.pem') }),
    log,
    now,
    random,
  };
}
