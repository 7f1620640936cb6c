/**
 * A fleet for the planning tests: a certificate store in memory that lists ETags (as S3 does) and
 * counts reads and writes, a scripted ARI CA, WorkflowDeps around them, and a generated fleet of
 * lineages in every situation the renewal policy distinguishes.
 */
import { createAcmeContext, type AcmeContext } from '../../../../shared/acme/index.js';
import { resolveLineageSpec } from '../../../../shared/config/index.js';
import {
  LineageConflictError,
  type CertificateStore,
  type Lineage,
  type LineageEtagPage,
  type LineageState,
  type StoredLineage,
} from '../../../../shared/store/index.js';
import type { Logger, WorkflowDeps } from '../../../../shared/workflow/index.js';
import type { SweepStore } from '../../../../shared/store/index.js';
import { IndexedMemorySweepStore } from '../../../../harness/indexed-memory-sweep-store.js';

export const DIRECTORY_URL = 'https://ca.test/dir';
export const T0 = Date.parse('2026-03-01T00:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A {@link CertificateStore} of lineages only, with ETags like S3's (a new one per write) and call counts. */
export class EtagMemoryStore implements CertificateStore {
  readonly lineages = new Map<string, StoredLineage>();
  readonly calls = { get: 0, put: 0, list: 0, listEtags: 0 };
  #etag = 0;

  /** Writes without counting (test setup). */
  seed(lineage: Lineage): string {
    const etag = `"e${++this.#etag}"`;
    this.lineages.set(lineage.spec.name, { lineage: structuredClone(lineage), etag });
    return etag;
  }

  delete(name: string): void {
    this.lineages.delete(name);
  }

  async getLineage(name: string): Promise<StoredLineage | undefined> {
    this.calls.get++;
    const stored = this.lineages.get(name);
    return stored ? structuredClone(stored) : undefined;
  }

  async putLineage(lineage: Lineage, options: { expectedEtag?: string | null } = {}): Promise<{ etag: string }> {
    this.calls.put++;
    const current = this.lineages.get(lineage.spec.name);
    if (options.expectedEtag === null && current) throw new LineageConflictError(lineage.spec.name);
    if (typeof options.expectedEtag === 'string' && current?.etag !== options.expectedEtag) throw new LineageConflictError(lineage.spec.name);
    return { etag: this.seed(lineage) };
  }

  #page(options: { cursor?: string; limit?: number }): { names: string[]; cursor?: string } {
    const names = [...this.lineages.keys()].sort();
    const start = options.cursor ? Number(options.cursor) : 0;
    const limit = options.limit ?? 1000;
    const page = names.slice(start, start + limit);
    return start + limit < names.length ? { names: page, cursor: String(start + limit) } : { names: page };
  }

  async listLineages(options: { cursor?: string; limit?: number } = {}): Promise<{ names: string[]; cursor?: string }> {
    this.calls.list++;
    return this.#page(options);
  }

  async listLineageEtags(options: { cursor?: string; limit?: number } = {}): Promise<LineageEtagPage> {
    this.calls.listEtags++;
    const page = this.#page(options);
    const lineages = page.names.map((name) => ({ name, etag: (this.lineages.get(name) as StoredLineage).etag }));
    return page.cursor === undefined ? { lineages } : { lineages, cursor: page.cursor };
  }

  async putVersion(): Promise<void> {
    throw new Error('not used by planning');
  }
  async getVersion(): Promise<undefined> {
    throw new Error('not used by planning');
  }
  async latestVersion(): Promise<number> {
    throw new Error('not used by planning');
  }
  async promoteVersion(): Promise<void> {
    throw new Error('not used by planning');
  }
  async getLive(): Promise<undefined> {
    throw new Error('not used by planning');
  }
}

/** The suggested window (RFC 9773 §4.2) a scripted CA answers for a certificate id, or an HTTP status. */
export type WindowFor = (certId: string, now: number) => { start: string; end: string } | number;

/** A CA that offers ARI and answers every renewal-info request with `windowFor`, Retry-After 6 h. */
export class ScriptedAriCa {
  readonly requests: string[] = [];
  windowFor: WindowFor;

  constructor(windowFor: WindowFor) {
    this.windowFor = windowFor;
  }

  get ariRequests(): number {
    return this.requests.filter((r) => r.includes('/renewal-info/')).length;
  }

  fetch(now: () => number): typeof fetch {
    return async (input) => {
      const url = String(input);
      this.requests.push(url);
      if (url === DIRECTORY_URL) {
        return Response.json({ newNonce: 'https://ca.test/nonce', newAccount: 'https://ca.test/acct', newOrder: 'https://ca.test/order', renewalInfo: 'https://ca.test/renewal-info' });
      }
      const id = /\/renewal-info\/(.+)$/.exec(url)?.[1];
      if (id === undefined) return new Response('not found', { status: 404 });
      const window = this.windowFor(id, now());
      if (typeof window === 'number') return new Response('unavailable', { status: window });
      return Response.json({ suggestedWindow: window }, { headers: { 'retry-after': '21600' } });
    };
  }
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

export interface FleetDeps {
  readonly deps: WorkflowDeps;
  readonly logs: LogLine[];
  /** Moves the clock. */
  setNow(ms: number): void;
}

/** WorkflowDeps for planning: the store, a sweep store, the scripted CA; every other port fails the test if used. */
export function fleetDeps(options: { store: CertificateStore; sweeps: SweepStore; ca: ScriptedAriCa; now?: number; random?: () => number }): FleetDeps {
  let now = options.now ?? T0;
  const logs: LogLine[] = [];
  const unused = (what: string) => () => {
    throw new Error(`planning must not use ${what}`);
  };
  const log: Logger = {
    info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  const contexts = new Map<string, AcmeContext>();
  const deps: WorkflowDeps = {
    store: options.store,
    sweeps: options.sweeps,
    keys: new Proxy({}, { get: (_t, p) => unused(`keys.${String(p)}`) }) as WorkflowDeps['keys'],
    lock: new Proxy({}, { get: (_t, p) => unused(`lock.${String(p)}`) }) as WorkflowDeps['lock'],
    events: { publish: unused('events') },
    acme: (directoryUrl) => {
      let ctx = contexts.get(directoryUrl);
      if (!ctx) {
        // A directory URL of its own per deps: the ACME layer caches directories by URL process-wide.
        ctx = createAcmeContext({ directoryUrl, fetch: options.ca.fetch(() => now), now: () => new Date(now) });
        contexts.set(directoryUrl, ctx);
      }
      return ctx;
    },
    dnsProvider: unused('dnsProvider'),
    resolveEab: unused('resolveEab'),
    checkPropagation: unused('checkPropagation'),
    locate: (lineage) => ({ location: `mem://${lineage}`, keyLocation: `mem://${lineage}.key` }),
    log,
    now: () => new Date(now),
    random: options.random ?? (() => 0.37),
  };
  return { deps, logs, setNow: (ms) => (now = ms) };
}

/** A sweep store with the planning index. */
export function indexedSweeps(): IndexedMemorySweepStore {
  return new IndexedMemorySweepStore();
}

/** The ARI certificate id of a serial (RFC 9773 §4.1 shape: base64url AKI "." base64url serial). */
export function ariIdOf(serialHex: string): string {
  return `aYhba4dGQEHhs3uEe6CuLN4ByNQ.${Buffer.from(serialHex.padStart(2, '0'), 'hex').toString('base64url')}`;
}

export interface CertificateOptions {
  readonly serialHex: string;
  /** notBefore, epoch ms. */
  readonly issuedAt: number;
  readonly lifetimeDays?: number;
  readonly ari?: boolean;
}

export function certificate(options: CertificateOptions): NonNullable<LineageState['current']> {
  const lifetime = (options.lifetimeDays ?? 90) * DAY;
  return {
    serialHex: options.serialHex,
    notBefore: new Date(options.issuedAt).toISOString(),
    notAfter: new Date(options.issuedAt + lifetime).toISOString(),
    domains: ['x.example.test'],
    ...(options.ari === false ? {} : { ariCertificateId: ariIdOf(options.serialHex) }),
  };
}

export function lineage(name: string, state: LineageState, renewBeforeExpiry?: string, directoryUrl = DIRECTORY_URL): Lineage {
  const spec = resolveLineageSpec({
    name,
    domains: [`${name}.example.test`],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl },
    dns: { provider: 'rfc2136' },
    ...(renewBeforeExpiry ? { renewBeforeExpiry } : {}),
  });
  return { spec, state };
}

/** A small deterministic PRNG (mulberry32), so a failing fleet can be generated again from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` lineages in random situations relative to `now`: never issued, fresh or ageing certificates
 * with and without ARI (stored answers fresh, stale, of a predecessor, invalid), renewBeforeExpiry,
 * failures in backoff, revoked, expired, and in-flight markers old and new.
 */
export function generateFleet(seed: number, n: number, now: number): Lineage[] {
  const rnd = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)] as T;
  const iso = (ms: number) => new Date(ms).toISOString();
  return Array.from({ length: n }, (_, i) => {
    const name = `fleet-${String(i).padStart(4, '0')}`;
    if (rnd() < 0.05) return lineage(name, { currentVersion: 0 });
    const lifetimeDays = pick([90, 90, 90, 47, 6]);
    const issuedAt = now - Math.floor(rnd() * lifetimeDays * 1.05 * DAY);
    const serialHex = (i + 1).toString(16).padStart(6, '0');
    const withAri = rnd() < 0.6;
    const current = certificate({ serialHex, issuedAt, lifetimeDays, ari: withAri });
    const notAfter = issuedAt + lifetimeDays * DAY;
    const state: LineageState = {
      currentVersion: 1 + Math.floor(rnd() * 4),
      current,
      ...(withAri && rnd() < 0.7
        ? {
            ari: pick([
              // fresh, stale, a predecessor's, invalid
              { windowStart: iso(notAfter - 32 * DAY), windowEnd: iso(notAfter - 30 * DAY), selectedTime: iso(notAfter - 31 * DAY), nextCheckAt: iso(now + 3 * HOUR) },
              { windowStart: iso(notAfter - 32 * DAY), windowEnd: iso(notAfter - 30 * DAY), selectedTime: iso(notAfter - 31 * DAY), nextCheckAt: iso(now - HOUR) },
              { windowStart: iso(issuedAt - 40 * DAY), windowEnd: iso(issuedAt - 38 * DAY), selectedTime: iso(issuedAt - 39 * DAY), nextCheckAt: iso(now + HOUR) },
              { windowStart: iso(now + DAY), windowEnd: iso(now), selectedTime: iso(now), nextCheckAt: iso(now - HOUR) },
            ]),
          }
        : {}),
      ...(rnd() < 0.08
        ? {
            failures: {
              count: 1 + Math.floor(rnd() * 4),
              lastFailureAt: iso(now - Math.floor(rnd() * 10 * HOUR)),
              retryNotBefore: iso(now + Math.floor((rnd() - 0.3) * 20 * HOUR)),
              lastError: { name: 'AcmeProblemError', message: 'x', ...(rnd() < 0.3 ? { problemType: 'urn:ietf:params:acme:error:rateLimited' } : {}) },
            },
          }
        : {}),
      ...(rnd() < 0.03 ? { revoked: { at: iso(now - DAY), reason: 'keyCompromise', serialHex } } : {}),
      ...(rnd() < 0.05
        ? { inflight: { owner: 'crashed-run', orderUrl: `https://ca.test/order/${i}`, keyToken: 'k', records: [], startedAt: iso(now - Math.floor(rnd() * 3 * HOUR)) } }
        : {}),
    };
    return lineage(name, state, rnd() < 0.15 ? pick(['30 days', '10 days', '91 days']) : undefined);
  });
}

/**
 * The windows a well-behaved CA answers: fixed per certificate (two days, 31 to 33 days before
 * expiry), looked up among the lineages `store` holds now; a few certificates get a 503 instead.
 */
export function fixedWindows(store: EtagMemoryStore): WindowFor {
  return (id) => {
    for (const { lineage: l } of store.lineages.values()) {
      const current = l.state.current;
      if (current?.ariCertificateId !== id) continue;
      if (current.serialHex.endsWith('7')) return 503;
      const notAfter = Date.parse(current.notAfter);
      return { start: new Date(notAfter - 33 * DAY).toISOString(), end: new Date(notAfter - 31 * DAY).toISOString() };
    }
    return 404;
  };
}
