/**
 * WorkflowDeps in memory for the handler unit tests: stores that keep the port rules the handlers
 * rely on (etags, write-once versions, leases), a recording DNS provider, a memory event log, a
 * memory sweep store, and an ACME context whose fetch a test scripts.
 */
import { resolveLineageSpec, type LineageSpec, type LineageSpecInput } from '../../../../shared/config/index.js';
import { createAcmeContext, type AcmeContext } from '../../../../shared/acme/index.js';
import type { ChangeRef, DnsProvider, TxtRecord } from '../../../../shared/dns/index.js';
import { MemoryEventPublisher } from '../../../../shared/events/index.js';
import {
  LineageConflictError,
  LineageLockedError,
  VersionConflictError,
  type CertificateStore,
  type CertificateVersion,
  type KeyStore,
  type Lineage,
  type LineageLock,
  type LineageState,
  type LockHandle,
  type StoredAccountKey,
  type StoredLineage,
} from '../../../../shared/store/index.js';
import type { Logger, WorkflowDeps } from '../../../../shared/workflow/index.js';
import { MemorySweepStore } from '../../../../shared/store/index.js';

export class MemoryCertificateStore implements CertificateStore {
  readonly lineages = new Map<string, StoredLineage>();
  readonly versions = new Map<string, CertificateVersion>();
  readonly live = new Map<string, number>();
  #etag = 0;

  async getLineage(name: string): Promise<StoredLineage | undefined> {
    const stored = this.lineages.get(name);
    return stored ? structuredClone(stored) : undefined;
  }

  async putLineage(lineage: Lineage, options: { expectedEtag?: string | null } = {}): Promise<{ etag: string }> {
    const current = this.lineages.get(lineage.spec.name);
    if (options.expectedEtag === null && current) throw new LineageConflictError(lineage.spec.name);
    if (typeof options.expectedEtag === 'string' && current?.etag !== options.expectedEtag) throw new LineageConflictError(lineage.spec.name);
    const etag = `"${++this.#etag}"`;
    this.lineages.set(lineage.spec.name, { lineage: structuredClone(lineage), etag });
    return { etag };
  }

  async listLineages(options: { cursor?: string; limit?: number } = {}): Promise<{ names: string[]; cursor?: string }> {
    const names = [...this.lineages.keys()].sort();
    const start = options.cursor ? Number(options.cursor) : 0;
    const limit = options.limit ?? 1000;
    const page = names.slice(start, start + limit);
    return start + limit < names.length ? { names: page, cursor: String(start + limit) } : { names: page };
  }

  async putVersion(version: CertificateVersion): Promise<void> {
    const key = `${version.lineage}/${version.version}`;
    const existing = this.versions.get(key);
    if (existing && existing.certPem !== version.certPem) throw new VersionConflictError(version.lineage, version.version);
    this.versions.set(key, structuredClone(version));
  }

  async getVersion(name: string, version: number): Promise<CertificateVersion | undefined> {
    return this.versions.get(`${name}/${version}`);
  }

  async latestVersion(name: string): Promise<number> {
    return Math.max(0, ...[...this.versions.values()].filter((v) => v.lineage === name).map((v) => v.version));
  }

  async promoteVersion(name: string, version: number): Promise<void> {
    this.live.set(name, version);
  }

  async getLive(name: string): Promise<CertificateVersion | undefined> {
    const version = this.live.get(name);
    return version === undefined ? undefined : this.versions.get(`${name}/${version}`);
  }
}

export class MemoryKeyStore implements KeyStore {
  readonly pending = new Map<string, string>();
  readonly current = new Map<string, string>();
  readonly accounts = new Map<string, StoredAccountKey>();

  async putPendingCertificateKey(lineage: string, token: string, privateKeyPem: string): Promise<string> {
    const key = `${lineage}/${token}`;
    if (!this.pending.has(key)) this.pending.set(key, privateKeyPem);
    return this.pending.get(key) as string;
  }
  async getPendingCertificateKey(lineage: string, token: string): Promise<string | undefined> {
    return this.pending.get(`${lineage}/${token}`);
  }
  async promoteCertificateKey(lineage: string, token: string): Promise<void> {
    const pem = this.pending.get(`${lineage}/${token}`);
    if (pem) this.current.set(lineage, pem);
    this.pending.delete(`${lineage}/${token}`);
  }
  async discardPendingCertificateKey(lineage: string, token: string): Promise<void> {
    this.pending.delete(`${lineage}/${token}`);
  }
  async getCurrentCertificateKey(lineage: string): Promise<string | undefined> {
    return this.current.get(lineage);
  }
  async getAccountKey(accountId: string): Promise<StoredAccountKey | undefined> {
    return this.accounts.get(accountId);
  }
  async putAccountKey(accountId: string, key: StoredAccountKey): Promise<void> {
    this.accounts.set(accountId, key);
  }
}

export class MemoryLineageLock implements LineageLock {
  readonly leases = new Map<string, LockHandle>();
  #token = 0;
  async acquire(lineage: string, options: { owner: string; leaseSeconds: number }): Promise<LockHandle> {
    const held = this.leases.get(lineage);
    if (held && held.owner !== options.owner) throw new LineageLockedError(lineage, held.owner, held.expiresAt);
    const handle = { lineage, owner: options.owner, expiresAt: new Date(Date.now() + options.leaseSeconds * 1000).toISOString(), token: `t${++this.#token}` };
    this.leases.set(lineage, handle);
    return handle;
  }
  async release(handle: LockHandle): Promise<void> {
    if (this.leases.get(handle.lineage)?.token === handle.token) this.leases.delete(handle.lineage);
  }
}

/** A DNS provider that records what it was asked and keeps the TXT values in a map. */
export class RecordingDnsProvider implements DnsProvider {
  readonly code = 'memory';
  readonly calls: string[] = [];
  readonly txt = new Map<string, Set<string>>();
  async upsertTxt(record: TxtRecord): Promise<ChangeRef> {
    this.calls.push(`upsert ${record.name}`);
    const values = this.txt.get(record.name) ?? new Set<string>();
    for (const v of record.values) values.add(v);
    this.txt.set(record.name, values);
    return { provider: this.code, id: `change-${this.calls.length}` };
  }
  async deleteTxt(record: TxtRecord): Promise<void> {
    this.calls.push(`delete ${record.name}`);
    const values = this.txt.get(record.name);
    for (const v of record.values) values?.delete(v);
  }
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

/** Scripted answers for the ACME context: `(method, url) → Response`; unscripted requests fail the test. */
export type AcmeScript = (method: string, url: string) => Response | undefined;

export const DIRECTORY_URL = 'https://ca.test/dir';

export interface MemoryDeps {
  readonly deps: WorkflowDeps;
  readonly store: MemoryCertificateStore;
  readonly keys: MemoryKeyStore;
  readonly lock: MemoryLineageLock;
  readonly events: MemoryEventPublisher;
  readonly sweeps: MemorySweepStore;
  readonly dns: RecordingDnsProvider;
  readonly logs: LogLine[];
  /** ACME requests made, `METHOD url`. */
  readonly requests: string[];
  /** Set the ACME script. */
  script(fn: AcmeScript): void;
}

export function memoryDeps(options: { now?: () => Date; overrides?: Partial<WorkflowDeps> } = {}): MemoryDeps {
  const store = new MemoryCertificateStore();
  const keys = new MemoryKeyStore();
  const lock = new MemoryLineageLock();
  const events = new MemoryEventPublisher();
  const sweeps = new MemorySweepStore();
  const dns = new RecordingDnsProvider();
  const logs: LogLine[] = [];
  const requests: string[] = [];
  let script: AcmeScript = () => undefined;
  const contexts = new Map<string, AcmeContext>();
  const log: Logger = {
    info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  const deps: WorkflowDeps = {
    store,
    keys,
    lock,
    events,
    sweeps,
    acme: (directoryUrl) => {
      let ctx = contexts.get(directoryUrl);
      if (!ctx) {
        ctx = createAcmeContext({
          directoryUrl,
          fetch: async (url, init) => {
            const method = init?.method ?? 'GET';
            requests.push(`${method} ${url}`);
            const answer = script(method, url);
            if (!answer) throw new Error(`unscripted ACME request ${method} ${url}`);
            return answer;
          },
        });
        contexts.set(directoryUrl, ctx);
      }
      return ctx;
    },
    dnsProvider: async () => dns,
    resolveEab: async () => {
      throw new Error('no EAB in unit tests');
    },
    checkPropagation: async (records) => ({ ready: true, missing: [], checkedServers: records.map(() => '192.0.2.53:53') }),
    locate: (lineage) => ({ location: `mem://live/${lineage}/`, keyLocation: `mem://keys/${lineage}` }),
    log,
    now: options.now ?? (() => new Date()),
    random: () => 0.5,
    ...options.overrides,
  };
  return { deps, store, keys, lock, events, sweeps, dns, logs, requests, script: (fn) => (script = fn) };
}

export function spec(name: string, overrides: Partial<LineageSpecInput> = {}): LineageSpec {
  return resolveLineageSpec({
    name,
    domains: [`${name}.example.test`],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: DIRECTORY_URL },
    dns: { provider: 'rfc2136' },
    ...overrides,
  });
}

export async function putLineage(store: MemoryCertificateStore, name: string, state: LineageState = { currentVersion: 0 }, overrides: Partial<LineageSpecInput> = {}): Promise<void> {
  await store.putLineage({ spec: spec(name, overrides), state });
}

/** A JSON answer as a CA sends it, with a fresh nonce. */
export function acmeJson(body: unknown, init: { status?: number; headers?: Record<string, string>; contentType?: string } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'content-type': init.contentType ?? 'application/json', 'replay-nonce': `nonce-${Math.random().toString(36).slice(2)}`, ...init.headers },
  });
}

export const DIRECTORY = {
  newNonce: 'https://ca.test/new-nonce',
  newAccount: 'https://ca.test/new-account',
  newOrder: 'https://ca.test/new-order',
  revokeCert: 'https://ca.test/revoke-cert',
  keyChange: 'https://ca.test/key-change',
};
