import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  planningIndexFrom,
  type PlanningIndex,
  type StoredPlanningIndex,
  type SweepItem,
  type SweepItemResult,
  type SweepResultsRef,
  type SweepStore,
} from '../sweep-store.js';
import { PlanningIndexConflictError, PlanningIndexFormatError, StoreError } from '../errors.js';
import { BucketObjects } from './bucket-objects.js';
import { isConditionalConflict, isNoSuchKey, isPreconditionFailed } from './s3-error-kind.js';
import type { S3StoreOptions } from './s3-store-options.js';

/** Options of {@link S3SweepStore}. */
export interface S3SweepStoreOptions extends S3StoreOptions {
  /** Prefix of the sweeps' objects. @default 'sweeps/' */
  readonly prefix?: string;
}

/** A ResultWriter manifest or result file does not have the documented shape. */
export class SweepResultsFormatError extends StoreError {
  readonly key: string;
  constructor(key: string, problem: string, options: { cause?: unknown } = {}) {
    super(`The sweep result object ${key} is not a Step Functions Distributed Map ResultWriter object: ${problem}.`, options);
    this.name = 'SweepResultsFormatError';
    this.key = key;
  }
}

/** A sweep id cannot name a plan object (it must be one path segment: the execution's name). */
export class InvalidSweepIdError extends StoreError {
  constructor(sweepId: string) {
    super(`"${sweepId}" cannot name a sweep: use the execution name (1 to 256 characters, no "/" or whitespace).`);
    this.name = 'InvalidSweepIdError';
  }
}

const SWEEP_ID = /^[^/\s]{1,256}$/;

/** One entry of a ResultWriter manifest's `ResultFiles` lists. */
interface ResultFileRef {
  readonly Key: string;
  readonly Size?: number;
}

/** Outcome lists of a ResultWriter manifest (Step Functions developer guide, "ResultWriter (Map)"). */
const RESULT_FILE_STATUSES = ['SUCCEEDED', 'FAILED', 'PENDING'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SweepResultsFormatError(key, 'its content is not JSON', { cause: error });
  }
}

/**
 * The entries of a result file: a JSON array (WriterConfig OutputType JSON, the default) or one
 * JSON object per line (OutputType JSONL).
 */
function parseEntries(key: string, text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    const entries = parseJson(key, trimmed);
    if (Array.isArray(entries)) return entries;
  }
  if (trimmed.startsWith('{')) return trimmed.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => parseJson(key, line));
  throw new SweepResultsFormatError(key, 'a result file is a JSON array (or JSON lines) of child executions');
}

/** A JSON string or an object (ResultWriter writes strings; a transformed writer may write objects). */
function jsonField(value: unknown): Record<string, unknown> | undefined {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function checkItems(items: readonly unknown[]): SweepItemResult[] {
  return items.map((item, i) => {
    if (!isObject(item) || typeof item['lineage'] !== 'string' || typeof item['failed'] !== 'boolean') {
      throw new SweepResultsFormatError(`items[${i}]`, 'an inline result must be { lineage: string, failed: boolean }');
    }
    return { lineage: item['lineage'], failed: item['failed'], ...(item['skipped'] === true ? { skipped: true } : {}) };
  });
}

/**
 * The {@link SweepStore} on Amazon S3.
 *
 * - `putPlan` writes `sweeps/<sweepId>/plan.json`: a JSON array of issuance inputs, the object the
 *   Distributed Map's ItemReader (`s3:getObject`, `InputType: JSON`) reads. Overwritten whole by a
 *   retried PlanRenewals; encrypted with `kmsKeyId` when set.
 * - `readResults({ ResultWriterDetails: { Bucket, Key } })` reads what the map's ResultWriter wrote:
 *   the manifest at `Key` (`{ DestinationBucket, MapRunArn, ResultFiles: { SUCCEEDED, FAILED,
 *   PENDING: [{ Key, Size }] } }`) and every result file it lists, each a JSON array of child
 *   executions (`{ ExecutionArn, Input, Output, Status, Error?, Cause?, ... }`, `Input` and `Output`
 *   as JSON strings). A succeeded child's `Output` is the item processor's `{ lineage, failed }`;
 *   a child that failed, timed out or was aborted, or never finished (PENDING), counts as failed
 *   and is named by the `lineage` of its `Input` (the plan item). `{ items }` (inline results) is
 *   accepted too.
 *
 * Objects are read from the bucket the manifest names, which is this store's bucket in acmeflow's
 * deployment. A missing manifest or result file is a {@link SweepResultsFormatError}.
 *
 * - The planning index is one object, `sweeps/planning-index.json` (no sweep id names it: a plan is
 *   `sweeps/<id>/plan.json`). `getPlanningIndex` reads it with its ETag (`undefined` when absent; an
 *   object that is not JSON or not the format: {@link PlanningIndexFormatError}). `putPlanningIndex`
 *   replaces it with one PutObject (atomic) under `If-Match` / `If-None-Match: *`; a 412 (or 409, or
 *   404 on `If-Match`) is {@link PlanningIndexConflictError}. The bucket's `sweeps/` lifecycle rule
 *   also expires it when no sweep has rewritten it for that long: the next sweep then starts cold.
 *
 * @example
 * ```ts
 * const sweeps = new S3SweepStore({ bucket: 'acmeflow-certificates-123456789012', kmsKeyId: 'alias/acmeflow' });
 * const planKey = await sweeps.putPlan(executionName, items);
 * const results = await sweeps.readResults(state.results); // [{ lineage: 'example.com', failed: false }, ...]
 * ```
 */
export class S3SweepStore implements SweepStore {
  readonly #objects: BucketObjects;
  readonly #client: S3Client;
  readonly #prefix: string;

  constructor(options: S3SweepStoreOptions) {
    this.#client = options.client ?? new S3Client({});
    this.#objects = new BucketObjects({ ...options, client: this.#client });
    this.#prefix = options.prefix ?? 'sweeps/';
  }

  /** The key of a sweep's plan. */
  planKey(sweepId: string): string {
    if (!SWEEP_ID.test(sweepId) || sweepId === '.' || sweepId === '..') throw new InvalidSweepIdError(sweepId);
    return `${this.#prefix}${sweepId}/plan.json`;
  }

  /** The key of the planning index. */
  get planningIndexKey(): string {
    return `${this.#prefix}planning-index.json`;
  }

  async getPlanningIndex(): Promise<StoredPlanningIndex | undefined> {
    const key = this.planningIndexKey;
    const object = await this.#objects.get(key);
    if (object === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(object.body) as unknown;
    } catch (error) {
      throw new PlanningIndexFormatError(key, 'its content is not JSON', { cause: error, etag: object.etag });
    }
    const index = planningIndexFrom(value);
    if (!index) throw new PlanningIndexFormatError(key, 'not an acmeflow planning index of a known format', { etag: object.etag });
    return { index, etag: object.etag };
  }

  async putPlanningIndex(index: PlanningIndex, options: { readonly expectedEtag: string | null }): Promise<{ etag: string }> {
    const condition = options.expectedEtag === null ? ({ ifNoneMatch: '*' } as const) : { ifMatch: options.expectedEtag };
    try {
      return { etag: await this.#objects.put(this.planningIndexKey, `${JSON.stringify(index)}\n`, 'application/json', condition) };
    } catch (error) {
      if (isPreconditionFailed(error) || isConditionalConflict(error) || isNoSuchKey(error)) throw new PlanningIndexConflictError({ cause: error });
      throw error;
    }
  }

  async putPlan(sweepId: string, items: readonly SweepItem[]): Promise<string> {
    const key = this.planKey(sweepId);
    // Each item is an issuance execution's input: its flags travel with it (a cleanup-only or announce-only item orders nothing).
    const plan = items.map((item) => ({
      lineage: item.lineage,
      expectedVersion: item.expectedVersion,
      force: item.force,
      dryRun: item.dryRun,
      ...(item.cleanupOnly ? { cleanupOnly: true } : {}),
      ...(item.announceOnly ? { announceOnly: true } : {}),
      // The CA's explanation of an ARI window that made this renewal due (RFC 9773 §4.2), for `Certificate Issued`.
      ...(item.ariExplanationURL ? { ariExplanationURL: item.ariExplanationURL } : {}),
    }));
    await this.#objects.put(key, `${JSON.stringify(plan)}\n`, 'application/json');
    return key;
  }

  /**
   * The CA's ARI explanations of a sweep's plan, by lineage (what `renew --stack --wait` prints of the
   * lineages it renewed); empty when the sweep planned nothing (it writes no plan then).
   */
  async planExplanations(sweepId: string): Promise<ReadonlyMap<string, string>> {
    const key = this.planKey(sweepId);
    const stored = await this.#objects.get(key);
    if (!stored) return new Map();
    const plan = parseJson(key, stored.body);
    if (!Array.isArray(plan)) throw new SweepResultsFormatError(key, 'the plan is not a JSON array');
    const out = new Map<string, string>();
    for (const entry of plan as unknown[]) {
      if (isObject(entry) && typeof entry['lineage'] === 'string' && typeof entry['ariExplanationURL'] === 'string') out.set(entry['lineage'], entry['ariExplanationURL']);
    }
    return out;
  }

  async readResults(results: SweepResultsRef): Promise<SweepItemResult[]> {
    if ('items' in results) return checkItems(results.items);
    const details = (results as { ResultWriterDetails?: unknown }).ResultWriterDetails;
    if (!isObject(details) || typeof details['Bucket'] !== 'string' || typeof details['Key'] !== 'string') {
      throw new SweepResultsFormatError('(results)', 'expected { ResultWriterDetails: { Bucket, Key } } or { items }');
    }
    const manifestKey = details['Key'];
    const manifest = parseJson(manifestKey, await this.#read(details['Bucket'], manifestKey));
    if (!isObject(manifest) || !isObject(manifest['ResultFiles'])) throw new SweepResultsFormatError(manifestKey, 'it has no ResultFiles');
    const bucket = typeof manifest['DestinationBucket'] === 'string' ? manifest['DestinationBucket'] : details['Bucket'];
    const out: SweepItemResult[] = [];
    for (const status of RESULT_FILE_STATUSES) {
      const files = manifest['ResultFiles'][status] ?? [];
      if (!Array.isArray(files)) throw new SweepResultsFormatError(manifestKey, `ResultFiles.${status} is not a list`);
      for (const file of files as unknown[]) {
        if (!isObject(file) || typeof file['Key'] !== 'string') throw new SweepResultsFormatError(manifestKey, `an entry of ResultFiles.${status} has no Key`);
        const ref: ResultFileRef = { Key: file['Key'] };
        out.push(...this.#parseResultFile(ref.Key, status, await this.#read(bucket, ref.Key)));
      }
    }
    return out;
  }

  async #read(bucket: string, key: string): Promise<string> {
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await answer.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (isNoSuchKey(error)) throw new SweepResultsFormatError(key, `there is no such object in ${bucket}`, { cause: error });
      throw error;
    }
  }

  #parseResultFile(key: string, listed: (typeof RESULT_FILE_STATUSES)[number], text: string): SweepItemResult[] {
    return parseEntries(key, text).map((entry: unknown, i) => {
      if (!isObject(entry)) throw new SweepResultsFormatError(key, `entry ${i} is not an object`);
      // WriterConfig Transformation FLATTEN writes the item processor's outputs themselves.
      const flattened = !('Input' in entry) && !('Output' in entry) && typeof entry['lineage'] === 'string';
      const input = flattened ? undefined : jsonField(entry['Input']);
      const output = flattened ? entry : jsonField(entry['Output']);
      const succeeded = listed === 'SUCCEEDED' && (entry['Status'] === undefined || entry['Status'] === 'SUCCEEDED');
      const lineage = (typeof output?.['lineage'] === 'string' ? output['lineage'] : undefined) ?? input?.['lineage'];
      if (typeof lineage !== 'string') {
        throw new SweepResultsFormatError(key, `entry ${i} names no lineage in its Output or Input`);
      }
      // A child that succeeded reports its own outcome (the item processor catches issuance failures);
      // one without an Output to say so is not counted as renewed.
      const failed = succeeded ? output?.['failed'] !== false : true;
      return { lineage, failed, ...(succeeded && output?.['skipped'] === true ? { skipped: true } : {}) };
    });
  }
}
