import { LINEAGE_NAME } from '../config/lineage-spec.js';
import type { RenewalFacts } from '../renewal/index.js';
import type { Announcement, AriState, FailureState, InflightIssuance, Lineage } from './index.js';

/**
 * Where a sweep keeps its plan and its results: S3 in AWS (read by the Distributed Map and written
 * by its ResultWriter), memory or files locally. The plan is a JSON array of issuance inputs.
 */
export interface SweepItem {
  readonly lineage: string;
  readonly expectedVersion: number;
  readonly force: boolean;
  readonly dryRun: boolean;
  /** Not due: only clean up after the abandoned run whose in-flight marker the lineage carries. */
  readonly cleanupOnly?: boolean;
  /** Due by the CA's renewal window, which the CA explains at this URL (RFC 9773 §4.2): carried to `Certificate Issued`. */
  readonly ariExplanationURL?: string;
  /** Not due: only publish the events the lineage's outbox owes for its current version (`state.announced`). */
  readonly announceOnly?: boolean;
}

/** One child issuance's outcome, as the Distributed Map's item processor reports it. */
export interface SweepItemResult {
  readonly lineage: string;
  readonly failed: boolean;
  /** The issuance found the lineage renewed by another run since planning (check, lock, check again). */
  readonly skipped?: boolean;
}

/**
 * Rules: `putPlan` overwrites the plan of the same sweep id (a retried PlanRenewals converges);
 * `readResults` resolves every item result of a finished map, from the ResultWriter's manifest in
 * AWS or from inline results locally.
 *
 * The planning index (optional; a store that keeps nothing between sweeps leaves both methods out,
 * and planning then reads every lineage and keeps the ARI choice on the lineage itself):
 * - `getPlanningIndex` resolves the index the last sweep wrote with its change tag, `undefined`
 *   when there is none, and throws `PlanningIndexFormatError` when the object is not an index.
 * - `putPlanningIndex` replaces the whole index atomically (a reader sees the old or the new one),
 *   only while the stored tag is still `expectedEtag` (`null`: only while there is none); otherwise
 *   it throws `PlanningIndexConflictError` (another sweep wrote it meanwhile; its index is as good).
 * - The index is a cache of facts the lineages hold, each entry valid for exactly one lineage ETag,
 *   plus the ARI state the planner keeps. Losing it, or finding it unreadable, costs one slower
 *   sweep (every lineage is read again, and each ARI answer fetched again draws its moment anew,
 *   still uniformly inside the CA's window: RFC 9773 §4.2), never a wrong decision: the planner
 *   uses an entry only while the lineage's current ETag is the entry's. A write that fails is logged
 *   and the sweep goes on; the next one starts from whatever index is there.
 */
export interface SweepStore {
  /** Writes the plan; returns the key the map reads it from. */
  putPlan(sweepId: string, items: readonly SweepItem[]): Promise<string>;
  readResults(results: SweepResultsRef): Promise<SweepItemResult[]>;
  getPlanningIndex?(): Promise<StoredPlanningIndex | undefined>;
  putPlanningIndex?(index: PlanningIndex, options: { readonly expectedEtag: string | null }): Promise<{ etag: string }>;
}

/** The planning index as stored, with the tag a conditional replace names. */
export interface StoredPlanningIndex {
  readonly index: PlanningIndex;
  readonly etag: string;
}

/** The format name in every index object; another value is not read (a later format starts cold). */
export const PLANNING_INDEX_FORMAT = 'acmeflow-planning-index/1';

/**
 * What the sweep's planning knows of every lineage without reading it: one entry per lineage, valid
 * while the lineage's ETag is the entry's. Plain JSON (one object, `sweeps/planning-index.json` in S3).
 *
 * @example
 * ```json
 * { "format": "acmeflow-planning-index/1", "writtenAt": "2026-03-01T00:00:00.000Z",
 *   "lineages": { "example.com": { "etag": "\"9b2c…\"", "facts": { "name": "example.com", … },
 *     "ari": { "serialHex": "04ab…", "state": { "windowStart": "…", "selectedTime": "…", … } } } } }
 * ```
 */
export interface PlanningIndex {
  readonly format: typeof PLANNING_INDEX_FORMAT;
  readonly writtenAt: string;
  readonly lineages: Readonly<Record<string, PlanningIndexEntry>>;
}

export interface PlanningIndexEntry {
  /** The ETag `getLineage` answered with the lineage `facts` were copied from (a listing with this ETag means: unchanged). */
  readonly etag: string;
  readonly facts: PlanningFacts;
  /**
   * The ARI state the planner keeps for the certificate with this serial (RFC 9773 §4.2: the moment
   * chosen in a window is kept across sweeps; §4.3: the CA is asked again after `nextCheckAt`).
   * Kept here instead of on the lineage, so a refreshed answer costs no lineage write. `state`
   * absent: no window applies (the lineage's own `state.ari` is not used either). For another
   * serial (the lineage was renewed since) it is ignored.
   */
  readonly ari?: { readonly serialHex: string; readonly state?: AriState };
}

/**
 * Exactly what planning reads of a lineage: the renewal policy's inputs ({@link RenewalFacts}), what
 * the ARI request needs (the CA's directory, the certificate id), `notAfter` and `revoked` for the
 * expiry alarm, and who started an unfinished run (abandoned-run report).
 */
export interface PlanningFacts {
  readonly name: string;
  readonly directoryUrl: string;
  readonly renewBeforeExpirySeconds?: number;
  readonly state: RenewalFacts & {
    readonly current?: NonNullable<RenewalFacts['current']> & { readonly ariCertificateId?: string };
    readonly inflight?: Pick<InflightIssuance, 'owner' | 'orderUrl' | 'startedAt'>;
    /** The outbox while it owes something, and when the version was stored (the sweep announces what is owed). */
    readonly announced?: Announcement;
    readonly issuedAt?: string;
  };
}

/** What the map hands to CompleteSweep: the ResultWriter's details in AWS, or the items inline locally. */
export type SweepResultsRef =
  | { readonly ResultWriterDetails: { readonly Bucket: string; readonly Key: string } }
  | { readonly items: readonly SweepItemResult[] };

/**
 * The {@link PlanningFacts} of a lineage: a copy of the fields planning reads, nothing more (no
 * domains, DNS settings or deployments), so an index entry stays small and holds no more than it must.
 *
 * @example
 * ```ts
 * const { lineage, etag } = (await store.getLineage('example.com'))!;
 * const entry: PlanningIndexEntry = { etag, facts: planningFactsOf(lineage) };
 * ```
 */
export function planningFactsOf(lineage: Lineage): PlanningFacts {
  const { spec, state } = lineage;
  const current = state.current;
  const inflight = state.inflight;
  return {
    name: spec.name,
    directoryUrl: spec.ca.directoryUrl,
    ...(spec.renewBeforeExpirySeconds === undefined ? {} : { renewBeforeExpirySeconds: spec.renewBeforeExpirySeconds }),
    state: {
      currentVersion: state.currentVersion,
      ...(current
        ? {
            current: {
              serialHex: current.serialHex,
              notBefore: current.notBefore,
              notAfter: current.notAfter,
              ...(current.ariCertificateId === undefined ? {} : { ariCertificateId: current.ariCertificateId }),
            },
          }
        : {}),
      ...(state.ari ? { ari: state.ari } : {}),
      ...(state.failures ? { failures: state.failures } : {}),
      ...(state.revoked ? { revoked: state.revoked } : {}),
      ...(inflight ? { inflight: { owner: inflight.owner, orderUrl: inflight.orderUrl, startedAt: inflight.startedAt } } : {}),
      // Only while something is owed: an announced lineage's entry stays as small as before.
      ...(state.announced && !(state.announced.issued && state.announced.deployable)
        ? { announced: state.announced, ...(state.issuedAt ? { issuedAt: state.issuedAt } : {}) }
        : {}),
    },
  };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies `keys` of `value` when each is a string (those in `optional` may be absent); undefined otherwise. */
function strings<K extends string>(value: unknown, keys: readonly K[], optional: readonly K[] = []): Record<K, string> | undefined {
  if (!isObject(value)) return undefined;
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const field = value[key];
    if (typeof field === 'string') out[key] = field;
    else if (!(field === undefined && optional.includes(key))) return undefined;
  }
  return out as Record<K, string>;
}

/** `undefined` when absent, the checked copy when well formed, `false` when present but malformed. */
function optionalField<T>(value: unknown, read: (value: unknown) => T | undefined): T | undefined | false {
  if (value === undefined) return undefined;
  return read(value) ?? false;
}

function readAri(value: unknown): AriState | undefined {
  return strings(value, ['windowStart', 'windowEnd', 'selectedTime', 'nextCheckAt', 'explanationURL'], ['explanationURL']);
}

function readFailures(value: unknown): FailureState | undefined {
  const times = strings(value, ['lastFailureAt', 'retryNotBefore']);
  if (!times || !isObject(value) || typeof value['count'] !== 'number') return undefined;
  const lastError = strings(value['lastError'], ['name', 'message', 'problemType'], ['problemType']);
  if (!lastError) return undefined;
  return { count: value['count'], ...times, lastError };
}

function readFacts(name: string, value: unknown): PlanningFacts | undefined {
  if (!isObject(value) || value['name'] !== name || typeof value['directoryUrl'] !== 'string') return undefined;
  const threshold = value['renewBeforeExpirySeconds'];
  if (threshold !== undefined && typeof threshold !== 'number') return undefined;
  const state = value['state'];
  if (!isObject(state)) return undefined;
  const currentVersion = state['currentVersion'];
  if (typeof currentVersion !== 'number' || !Number.isSafeInteger(currentVersion) || currentVersion < 0) return undefined;
  const current = optionalField(state['current'], (v) => strings(v, ['serialHex', 'notBefore', 'notAfter', 'ariCertificateId'], ['ariCertificateId']));
  const ari = optionalField(state['ari'], readAri);
  const failures = optionalField(state['failures'], readFailures);
  const revoked = optionalField(state['revoked'], (v) => strings(v, ['at', 'reason', 'serialHex']));
  const inflight = optionalField(state['inflight'], (v) => strings(v, ['owner', 'orderUrl', 'startedAt']));
  if (current === false || ari === false || failures === false || revoked === false || inflight === false) return undefined;
  return {
    name,
    directoryUrl: value['directoryUrl'],
    ...(threshold === undefined ? {} : { renewBeforeExpirySeconds: threshold }),
    state: {
      currentVersion,
      ...(current ? { current } : {}),
      ...(ari ? { ari } : {}),
      ...(failures ? { failures } : {}),
      ...(revoked ? { revoked } : {}),
      ...(inflight ? { inflight } : {}),
    },
  };
}

function readEntry(name: string, value: unknown): PlanningIndexEntry | undefined {
  if (!isObject(value) || typeof value['etag'] !== 'string' || value['etag'] === '') return undefined;
  const facts = readFacts(name, value['facts']);
  if (!facts) return undefined;
  const ari = value['ari'];
  if (ari === undefined) return { etag: value['etag'], facts };
  if (!isObject(ari) || typeof ari['serialHex'] !== 'string') return undefined;
  const state = optionalField(ari['state'], readAri);
  if (state === false) return undefined;
  return { etag: value['etag'], facts, ari: { serialHex: ari['serialHex'], ...(state ? { state } : {}) } };
}

/**
 * Reads a parsed index object: `undefined` when it is not one (another format, not an object); an
 * entry that is malformed is left out, so that lineage is read from the store as if it were new.
 * Every adapter reads through this, so no entry reaches the planner unchecked.
 *
 * @example
 * ```ts
 * const index = planningIndexFrom(JSON.parse(body));
 * if (!index) throw new PlanningIndexFormatError(key, 'not an acmeflow planning index');
 * ```
 */
export function planningIndexFrom(value: unknown): PlanningIndex | undefined {
  if (!isObject(value) || value['format'] !== PLANNING_INDEX_FORMAT || !isObject(value['lineages'])) return undefined;
  const lineages: Record<string, PlanningIndexEntry> = {};
  for (const [name, raw] of Object.entries(value['lineages'])) {
    // Only lineage names become keys (never `__proto__` or the like).
    const entry = LINEAGE_NAME.test(name) ? readEntry(name, raw) : undefined;
    if (entry) lineages[name] = entry;
  }
  return { format: PLANNING_INDEX_FORMAT, writtenAt: typeof value['writtenAt'] === 'string' ? value['writtenAt'] : '', lineages };
}
