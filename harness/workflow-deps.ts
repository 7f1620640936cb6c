/**
 * WorkflowDeps for tests of the lifecycle core against real components: the filesystem store in
 * certbot's layout, Pebble as the CA and BIND 9 as the authoritative DNS (rfc2136 with TSIG, the
 * key read from a certbot-format credentials file), and a memory event log.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAcmeContext, type AcmeContext } from '../shared/acme/index.js';
import { checkPropagation, createProvider } from '../shared/dns/index.js';
import { MemoryEventPublisher } from '../shared/events/index.js';
import { FilesystemCertificateStore, FilesystemKeyStore, FilesystemLineageLock } from '../shared/store/filesystem/index.js';
import type { Logger, WorkflowDeps } from '../shared/workflow/index.js';
import type { BindHandle } from './bind.js';
import type { PebbleHandle } from './pebble.js';

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

export interface TestWorkflow {
  readonly deps: WorkflowDeps;
  readonly events: MemoryEventPublisher;
  readonly logs: LogLine[];
  readonly configDir: string;
  /** The certbot-format rfc2136 credentials file (mode 0600) the lineages reference. */
  readonly credentialsFile: string;
  /** Every ACME request URL made, for assertions on traffic. */
  readonly requests: string[];
}

/** Writes certbot's dns-rfc2136 credentials INI for the BIND instance. */
export async function writeRfc2136Credentials(path: string, bind: BindHandle): Promise<void> {
  await writeFile(
    path,
    [
      `dns_rfc2136_server = ${bind.host}`,
      `dns_rfc2136_port = ${bind.port}`,
      `dns_rfc2136_name = ${bind.tsig.name}`,
      `dns_rfc2136_secret = ${bind.tsig.secret}`,
      `dns_rfc2136_algorithm = ${bind.tsig.algorithm.toUpperCase()}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await chmod(path, 0o600);
}

export async function makeTestWorkflow(options: {
  configDir: string;
  pebble: PebbleHandle;
  bind: BindHandle;
  now?: () => Date;
  random?: () => number;
  overrides?: Partial<WorkflowDeps>;
}): Promise<TestWorkflow> {
  const { configDir, pebble, bind } = options;
  const credentialsFile = join(configDir, 'rfc2136.ini');
  await writeRfc2136Credentials(credentialsFile, bind);
  const logs: LogLine[] = [];
  const log: Logger = {
    info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  const events = new MemoryEventPublisher();
  const requests: string[] = [];
  const contexts = new Map<string, AcmeContext>();
  const now = options.now ?? (() => new Date());
  const deps: WorkflowDeps = {
    store: new FilesystemCertificateStore({ configDir }),
    keys: new FilesystemKeyStore({ configDir }),
    lock: new FilesystemLineageLock({ configDir, now }),
    events,
    acme: (directoryUrl) => {
      let ctx = contexts.get(directoryUrl);
      if (!ctx) {
        ctx = createAcmeContext({
          directoryUrl,
          fetch: (url, init) => {
            requests.push(`${init?.method ?? 'GET'} ${url}`);
            return pebble.fetch(url, init);
          },
        });
        contexts.set(directoryUrl, ctx);
      }
      return ctx;
    },
    dnsProvider: async (dns) =>
      createProvider(dns.provider as 'rfc2136', { ...dns.config, ...(dns.credentialsRef ? { credentialsFile: dns.credentialsRef } : {}) }),
    resolveEab: async () => pebble.eab,
    checkPropagation: (records, opts) => checkPropagation(records, opts),
    locate: (lineage) => ({ location: join(configDir, 'live', lineage), keyLocation: join(configDir, 'live', lineage, 'privkey.pem') }),
    log,
    now,
    random: options.random ?? Math.random,
    ...options.overrides,
  };
  return { deps, events, logs, configDir, credentialsFile, requests };
}
