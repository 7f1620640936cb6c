import 'reflect-metadata';
import type { LineageSpec } from '../../shared/config/index.js';
import { LINEAGE_NAME } from '../../shared/config/lineage-spec.js';
import { LineageConflictError, type CertificateStore, type LineageState } from '../../shared/store/index.js';

/**
 * The custom resource behind `AcmeIssuer`'s certificate list. On every deploy it writes the spec of
 * each lineage to `renewal/<name>.json` (keeping the stored state), deletes the lineages that left the
 * list, and, when anything was added or changed, starts the renewal sweep for exactly those lineages,
 * so a deploy issues new certificates at once instead of at the next scheduled sweep.
 *
 * - New lineages, and lineages whose certificate must change (names, key type, CA, profile), are
 *   swept with `force: true`: the renewal policy decides by expiry only and would not see a new name.
 * - Other changes (deploy delay, renewal threshold, DNS settings) are swept without force.
 * - Lineages removed from the list are deleted like certbot's `delete` (the archive and the key
 *   secret stay); the names of the managed lineages are kept in `deploy/managed-lineages.json`.
 * - The specs come from a JSON asset (`{ format: 1, specs: [...] }`), not from the resource's
 *   properties: 10,000 specs do not fit in a CloudFormation template.
 */

/** The custom resource's properties (set by the `LineageSync` construct). */
export interface SyncLineagesProperties {
  readonly SpecsBucket: string;
  readonly SpecsKey: string;
  /**
   * Placeholder → secret ARN, for EAB and DNS credential secrets created in the same app with a
   * generated name: their ARN is known only at deploy time, after the specs file was written.
   */
  readonly SecretRefs?: Readonly<Record<string, string>>;
}

/**
 * The specs with each secret placeholder (`SyncLineagesProperties.SecretRefs`) replaced by the ARN
 * CloudFormation resolved for it; a spec without one comes back as it was.
 *
 * @example
 * ```ts
 * withSecretRefs(specs, { 'acmeflow-secret-ref:caAccounts.jprs.eabSecret': 'arn:aws:secretsmanager:…:secret:Eab-AbCdEf' });
 * ```
 */
export function withSecretRefs(specs: readonly LineageSpec[], refs: Readonly<Record<string, string>> | undefined): LineageSpec[] {
  if (refs === undefined || Object.keys(refs).length === 0) return [...specs];
  const resolve = (ref: string | undefined) => (ref !== undefined && Object.hasOwn(refs, ref) ? refs[ref] : ref);
  return specs.map((spec) => {
    const eabRef = resolve(spec.ca.eabRef);
    const credentialsRef = resolve(spec.dns.credentialsRef);
    return {
      ...spec,
      ca: { ...spec.ca, ...(eabRef === undefined ? {} : { eabRef }) },
      dns: { ...spec.dns, ...(credentialsRef === undefined ? {} : { credentialsRef }) },
    };
  });
}

/** The parts of a CloudFormation custom resource event the provider framework hands to `onEvent`. */
export interface SyncLineagesEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: SyncLineagesProperties;
  readonly OldResourceProperties?: SyncLineagesProperties;
}

export interface SyncLineagesResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

/** What a deploy starts: the sweep's execution input (`SweepInput`). */
export interface SweepStart {
  readonly lineages: readonly string[];
  readonly force: boolean;
}

export interface SyncLineagesDeps {
  readonly store: Pick<CertificateStore, 'getLineage' | 'putLineage' | 'deleteLineage'>;
  /** Reads a specs asset. */
  readSpecs(bucket: string, key: string): Promise<LineageSpec[]>;
  /** The names the previous deploy managed (undefined before the first), and the names to remember for the next. */
  readManagedNames(): Promise<string[] | undefined>;
  writeManagedNames(names: readonly string[]): Promise<void>;
  /** Starts a sweep execution; an execution of that name existing already is success (a retried request). */
  startSweep(name: string, input: SweepStart): Promise<void>;
  readonly log: { info(message: string, fields?: Record<string, unknown>): void; warn(message: string, fields?: Record<string, unknown>): void };
  /** The clock of the moves it records. @default () => new Date() */
  readonly now?: () => Date;
}

export const PHYSICAL_RESOURCE_ID = 'acmeflow-lineages';
/** Where the names of the lineages the construct manages are kept (outside `renewal/`, so no sweep sees it). */
export const MANAGED_NAMES_KEY = 'deploy/managed-lineages.json';
/** Lineages per sweep execution: keeps the input far below Step Functions' 256 KiB. */
export const LINEAGES_PER_SWEEP = 1000;
const CONCURRENCY = 16;
const CONFLICT_RETRIES = 5;

/** The specs file the construct writes: a version number and the resolved specs. */
export function parseSpecsFile(text: string): LineageSpec[] {
  const value = JSON.parse(text) as { format?: unknown; specs?: unknown };
  if (value.format !== 1 || !Array.isArray(value.specs)) throw new Error('The lineage specs asset is not acmeflow format 1 ({ format: 1, specs: [...] }).');
  for (const spec of value.specs as { name?: unknown }[]) {
    if (typeof spec?.name !== 'string' || !LINEAGE_NAME.test(spec.name)) throw new Error('The lineage specs asset holds a spec without a valid name.');
  }
  return value.specs as LineageSpec[];
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** Whether two specs are the same (key order and undefined fields do not count). */
export function sameSpec(a: LineageSpec, b: LineageSpec): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Whether the change needs a new certificate now: another name set, key type, CA or profile. */
export function needsNewCertificate(before: LineageSpec, after: LineageSpec): boolean {
  const names = (spec: LineageSpec) => [...spec.domains].sort().join(',');
  return (
    names(before) !== names(after) ||
    before.keyType !== after.keyType ||
    before.ca.directoryUrl !== after.ca.directoryUrl ||
    (before.ca.profile ?? '') !== (after.ca.profile ?? '') ||
    (before.ca.requiredProfile ?? '') !== (after.ca.requiredProfile ?? '')
  );
}

/**
 * A spec whose `keyStore` changed moves the lineage's keys: with no copy made here (this function has
 * no access to keys), the next issuance stores its key in the new store, readers fall back to the old
 * one until then (`LineageRoutedKeyStore`), and the move is recorded so that CleanupRecords removes
 * the old copies once a later version was delivered (`finishKeyStoreMove`). `acmeflow move-key` copies
 * at once instead.
 */
function withKeyStoreMove(before: LineageSpec, after: LineageSpec, state: LineageState, now: Date): LineageState {
  if (before.keyStore === undefined || after.keyStore === undefined || before.keyStore === after.keyStore || state.currentVersion === 0) return state;
  return { ...state, keyStoreMove: { from: before.keyStore, to: after.keyStore, atVersion: state.currentVersion, movedAt: now.toISOString() } };
}

type Outcome = 'created' | 'reissue' | 'changed' | 'unchanged';

async function syncOne(spec: LineageSpec, deps: SyncLineagesDeps): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      const stored = await deps.store.getLineage(spec.name);
      if (!stored) {
        await deps.store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
        return 'created';
      }
      const before = stored.lineage.spec;
      if (sameSpec(before, spec)) return 'unchanged';
      // The spec is replaced, the state (versions, ARI, failures, deployments) kept.
      await deps.store.putLineage({ spec, state: withKeyStoreMove(before, spec, stored.lineage.state, deps.now?.() ?? new Date()) }, { expectedEtag: stored.etag });
      return needsNewCertificate(before, spec) ? 'reissue' : 'changed';
    } catch (error) {
      // A running issuance wrote the lineage in between: read it again.
      if (!(error instanceof LineageConflictError) || attempt >= CONFLICT_RETRIES) throw error;
    }
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Execution names allow letters, digits, `-` and `_` (at most 80). */
function executionName(requestId: string, kind: string, index: number): string {
  return `deploy-${requestId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40)}-${kind}-${index}`;
}

/**
 * The custom resource's `onEvent`, with its dependencies injected.
 *
 * @example
 * ```ts
 * const onEvent = makeHandler(() => Promise.resolve({ store, readSpecs, startSweep, log }));
 * await onEvent({ RequestType: 'Create', RequestId: 'r1', ResourceProperties: { SpecsBucket: 'assets', SpecsKey: 'abc.json' } });
 * ```
 */
export function makeHandler(depsSource: () => Promise<SyncLineagesDeps>): (event: SyncLineagesEvent) => Promise<SyncLineagesResult> {
  let cached: Promise<SyncLineagesDeps> | undefined;
  return async (event) => {
    if (event.RequestType === 'Delete') {
      // The bucket outlives the stack (RETAIN), and so do its lineages.
      return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID };
    }
    cached ??= depsSource().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    const deps = await cached;
    const { SpecsBucket, SpecsKey, SecretRefs } = event.ResourceProperties;
    const specs = withSecretRefs(await deps.readSpecs(SpecsBucket, SpecsKey), SecretRefs);

    const outcomes = new Map<string, Outcome>();
    let next = 0;
    const worker = async () => {
      while (next < specs.length) {
        const spec = specs[next++] as LineageSpec;
        outcomes.set(spec.name, await syncOne(spec, deps));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, specs.length) }, worker));

    // Lineages a previous deploy wrote and this one does not list. Only those: lineages created by
    // other means (the CLI against the same bucket) are never touched.
    const current = new Set(specs.map((s) => s.name));
    const removed = ((await deps.readManagedNames()) ?? []).filter((name) => !current.has(name)).sort();
    // certbot's `delete`: the lineage and live/ go, the archive and the key secret stay.
    for (const name of removed) await deps.store.deleteLineage?.(name);
    await deps.writeManagedNames([...current].sort());

    const named = (...kinds: Outcome[]) => [...outcomes].filter(([, o]) => kinds.includes(o)).map(([name]) => name).sort();
    const forced = named('created', 'reissue');
    const changed = named('changed');
    const started: string[] = [];
    for (const [kind, lineages, force] of [['force', forced, true], ['changed', changed, false]] as const) {
      for (const [i, group] of chunks(lineages, LINEAGES_PER_SWEEP).entries()) {
        const name = executionName(event.RequestId, kind, i);
        await deps.startSweep(name, { lineages: group, force });
        started.push(name);
      }
    }
    deps.log.info('Certificate list synchronised.', {
      created: named('created').length,
      reissue: named('reissue').length,
      changed: changed.length,
      unchanged: named('unchanged').length,
      removed: removed.length,
      sweeps: started,
    });
    return {
      PhysicalResourceId: PHYSICAL_RESOURCE_ID,
      Data: { Created: String(named('created').length), Changed: String(named('reissue', 'changed').length), Removed: String(removed.length), Sweeps: started.join(',') },
    };
  };
}

/** Deps from the environment the construct sets: ACMEFLOW_BUCKET, ACMEFLOW_KMS_KEY_ID, ACMEFLOW_SWEEP_STATE_MACHINE_ARN. */
async function awsDeps(): Promise<SyncLineagesDeps> {
  const [{ GetObjectCommand, PutObjectCommand, S3Client }, { SFNClient, StartExecutionCommand }, { S3CertificateStore }, { Logger }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-sfn'),
    import('../../shared/store/s3/s3-certificate-store.js'),
    import('@aws-lambda-powertools/logger'),
  ]);
  const bucket = process.env.ACMEFLOW_BUCKET;
  const stateMachineArn = process.env.ACMEFLOW_SWEEP_STATE_MACHINE_ARN;
  if (!bucket || !stateMachineArn) throw new Error('ACMEFLOW_BUCKET and ACMEFLOW_SWEEP_STATE_MACHINE_ARN must be set.');
  const s3 = new S3Client({});
  const sfn = new SFNClient({});
  const logger = new Logger({ serviceName: 'acmeflow' });
  const kmsKeyId = process.env.ACMEFLOW_KMS_KEY_ID;
  return {
    store: new S3CertificateStore({ bucket, client: s3, ...(kmsKeyId ? { kmsKeyId } : {}) }),
    async readSpecs(specsBucket, key) {
      const answer = await s3.send(new GetObjectCommand({ Bucket: specsBucket, Key: key }));
      return parseSpecsFile((await answer.Body?.transformToString('utf-8')) ?? '');
    },
    async readManagedNames() {
      try {
        const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: MANAGED_NAMES_KEY }));
        const value = JSON.parse((await answer.Body?.transformToString('utf-8')) ?? '') as { names?: unknown };
        return Array.isArray(value.names) ? value.names.filter((n): n is string => typeof n === 'string') : [];
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async writeManagedNames(names) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: MANAGED_NAMES_KEY,
          Body: `${JSON.stringify({ names }, null, 2)}\n`,
          ContentType: 'application/json',
          ...(kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyId } : {}),
        }),
      );
    },
    async startSweep(name, input) {
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      } catch (error) {
        if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') throw error;
      }
    },
    log: {
      info: (message, fields) => logger.info(message, fields ?? {}),
      warn: (message, fields) => logger.warn(message, fields ?? {}),
    },
  };
}

export const handler = makeHandler(awsDeps);
