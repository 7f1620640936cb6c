import 'reflect-metadata';
import { LINEAGE_NAME } from '../../shared/config/lineage-spec.js';
import { keyMatchesCertificate } from '../../shared/crypto/key-matches-certificate.js';
import { readAcmDeployment, withAcmDeployment } from '../../shared/store/acm/acm-deployment.js';
import type { AcmImportRequest, AcmImportResult } from '../../shared/store/acm/acm-import-target.js';
import { LineageConflictError, type CertificateStore, type KeyStore } from '../../shared/store/index.js';
import { sanitizeDisplayText } from '../../shared/text/index.js';
import { checked, isCertificateHandleEvent, physicalId, type CertificateHandleEvent } from '../certificate-handle/resource.js';
import type { AcmTarget } from './targets.js';

/**
 * The ACM deploy hook: the target of an EventBridge rule on `Certificate Deployable`, and the `onEvent`
 * of the certificate handle's custom resource (functions/certificate-handle/resource.ts). It
 * imports the lineage's live certificate with its current key into each ACM target of the lineage
 * (a region, possibly of another account through an assumed role), and refuses a key that does not
 * match the certificate.
 *
 * The ARN comes from the lineage state (`deployments[<target>].certificateArn`): the first import
 * writes it, every later one re-imports under it, so load balancers and CloudFront keep the same ARN
 * across renewals. The account is never listed. A version already imported into a target is not
 * imported again (EventBridge delivers at least once). A failed import is recorded in the state (the
 * deploy waiting on the certificate reads it) and rethrown, so EventBridge retries.
 *
 * As the handle's `onEvent` (Create, Update) it answers when the wait began, and imports the current
 * version into the handle's target when the lineage has one the target lacks (a target added to an
 * issued lineage gets no `Certificate Deployable` until the next renewal); a failure there is only
 * recorded, for the completion check to report. Delete does nothing: the ACM certificate stays, and
 * its ARN stays in the lineage state for the next deploy.
 */

/** The part of the EventBridge event the hook reads. */
export interface DeployableEvent {
  readonly 'detail-type'?: string;
  readonly detail: { readonly lineage: string; readonly version: number };
}

/** What imports into one target (an `AcmImportTarget` with its client). */
export interface AcmImporter {
  importCertificate(request: AcmImportRequest): Promise<AcmImportResult>;
}

export interface AcmImportHookDeps {
  readonly store: Pick<CertificateStore, 'getLive' | 'getLineage' | 'putLineage'>;
  readonly keys: Pick<KeyStore, 'getCurrentCertificateKey'>;
  readonly targets: readonly AcmTarget[];
  /** The importer of a target (built once per target and kept). */
  acmFor(target: AcmTarget): AcmImporter;
  readonly log: { info(message: string, fields?: Record<string, unknown>): void; warn(message: string, fields?: Record<string, unknown>): void };
  now(): Date;
}

/** One target's outcome. */
export interface AcmTargetOutcome {
  readonly target: string;
  readonly certificateArn: string;
  /** `imported`: a new certificate; `reimported`: under the stored ARN; `current`: this version was there already. */
  readonly result: 'imported' | 'reimported' | 'current';
}

/** The live certificate or its key is not (yet) the one the event announced. */
export class DeployHookNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployHookNotReadyError';
  }
}

const CONFLICT_RETRIES = 5;

/**
 * @example
 * ```ts
 * const hook = makeHandler(async () => ({ store, keys, targets: [{ name: 'acm:us-east-1', region: 'us-east-1' }], acmFor, log, now: () => new Date() }));
 * await hook({ detail: { lineage: 'example.jp', version: 3 } });
 * // { lineage: 'example.jp', version: 3, targets: [{ target: 'acm:us-east-1', certificateArn, result: 'reimported' }] }
 * ```
 */
export function makeHandler(depsSource: () => Promise<AcmImportHookDeps>): AcmImportHookHandler {
  let cached: Promise<AcmImportHookDeps> | undefined;
  const load = () =>
    (cached ??= depsSource().catch((error: unknown) => {
      cached = undefined;
      throw error;
    }));

  const onDeployable = async (event: DeployableEvent): Promise<{ lineage: string; version: number; targets: AcmTargetOutcome[] }> => {
    const { lineage, version } = event.detail;
    if (typeof lineage !== 'string' || !LINEAGE_NAME.test(lineage)) throw new TypeError('The event names no valid lineage (detail.lineage).');
    const deps = await load();
    const targets = deps.targets.filter((t) => t.lineages === undefined || t.lineages.includes(lineage));
    if (targets.length === 0) return { lineage, version, targets: [] };
    const { live, privateKeyPem } = await liveWithKey(deps, lineage, version);
    const outcomes: AcmTargetOutcome[] = [];
    let firstError: unknown;
    for (const target of targets) {
      try {
        outcomes.push(await importInto(deps, lineage, live, privateKeyPem, target));
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
    return { lineage, version: live.version, targets: outcomes };
  };

  const onHandleEvent = async (event: CertificateHandleEvent): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> => {
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId(event.ResourceProperties) };
    const { lineage, target: targetName } = checked(event.ResourceProperties);
    const deps = await load();
    const startedAt = deps.now().toISOString();
    const target = deps.targets.find((t) => t.name === targetName && (t.lineages === undefined || t.lineages.includes(lineage)));
    if (!target) throw new TypeError(`The ACM hook has no target "${targetName}" for the lineage "${lineage}".`);
    const stored = await deps.store.getLineage(lineage);
    const current = stored?.lineage.state.currentVersion ?? 0;
    if (current > 0 && (readAcmDeployment(stored?.lineage.state, targetName).version ?? 0) < current) {
      try {
        const { live, privateKeyPem } = await liveWithKey(deps, lineage, current);
        await importInto(deps, lineage, live, privateKeyPem, target);
      } catch (error) {
        // Recorded in the lineage state by importInto (or the next Certificate Deployable will do it):
        // the completion check reports it, with the explanation.
        deps.log.warn('Import of the current certificate for the handle failed.', { lineage, target: targetName, error: (error as Error).name });
      }
    }
    return { PhysicalResourceId: physicalId(event.ResourceProperties), Data: { StartedAt: startedAt } };
  };

  const hook = async (event: DeployableEvent | CertificateHandleEvent) => (isCertificateHandleEvent(event) ? onHandleEvent(event) : onDeployable(event));
  return hook as AcmImportHookHandler;
}

/** The hook's two faces: an EventBridge target and the certificate handle's `onEvent`. */
export interface AcmImportHookHandler {
  (event: DeployableEvent): Promise<{ lineage: string; version: number; targets: AcmTargetOutcome[] }>;
  (event: CertificateHandleEvent): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }>;
}

async function liveWithKey(deps: AcmImportHookDeps, lineage: string, version: number) {
  const live = await deps.store.getLive(lineage);
  if (!live || live.version < version) {
    throw new DeployHookNotReadyError(`live/${lineage}/ serves version ${live?.version ?? 'none'}, the event announced version ${version}.`);
  }
  const privateKeyPem = await deps.keys.getCurrentCertificateKey(lineage);
  if (!privateKeyPem || !(await keyMatchesCertificate(privateKeyPem, live.certPem))) {
    throw new DeployHookNotReadyError(`The current key of "${lineage}" does not match version ${live.version} of its certificate.`);
  }
  return { live, privateKeyPem };
}

/** Imports `live` into one target under the ARN its state holds (none: a new certificate), and records the outcome. */
async function importInto(
  deps: AcmImportHookDeps,
  lineage: string,
  live: { readonly version: number; readonly certPem: string; readonly chainPem: string },
  privateKeyPem: string,
  target: AcmTarget,
): Promise<AcmTargetOutcome> {
  const stored = await deps.store.getLineage(lineage);
  if (!stored) throw new DeployHookNotReadyError(`The lineage "${lineage}" is not stored (deleted since the event?).`);
  const known = readAcmDeployment(stored.lineage.state, target.name);
  if (known.certificateArn !== undefined && known.version !== undefined && known.version >= live.version) {
    return { target: target.name, certificateArn: known.certificateArn, result: 'current' };
  }
  try {
    const result = await deps.acmFor(target).importCertificate({
      lineage,
      certificatePem: live.certPem,
      chainPem: live.chainPem,
      privateKeyPem,
      ...(known.certificateArn === undefined ? {} : { certificateArn: known.certificateArn }),
    });
    // A new certificate's ARN must reach the state, or the next renewal would import yet another one.
    await record(deps, lineage, target.name, () => ({ certificateArn: result.certificateArn, version: live.version, importedAt: deps.now().toISOString() }));
    deps.log.info('Certificate imported into ACM.', { lineage, version: live.version, target: target.name, certificateArn: result.certificateArn, reimported: result.reimported });
    return { target: target.name, certificateArn: result.certificateArn, result: result.reimported ? 'reimported' : 'imported' };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = sanitizeDisplayText(error instanceof Error ? error.message : String(error), 500);
    deps.log.warn('ACM import failed.', { lineage, version: live.version, target: target.name, error: name, message });
    await record(deps, lineage, target.name, (previous) => ({ ...previous, lastError: { name, message, at: deps.now().toISOString(), version: live.version } })).catch(
      (recordError: unknown) => deps.log.warn('Could not record the failed import.', { lineage, target: target.name, error: (recordError as Error).name }),
    );
    throw error;
  }
}

/** Rewrites one target's facts in the lineage state, re-reading on a concurrent change (etag). */
async function record(
  deps: AcmImportHookDeps,
  lineage: string,
  target: string,
  next: (previous: ReturnType<typeof readAcmDeployment>) => ReturnType<typeof readAcmDeployment>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.getLineage(lineage);
    if (!stored) throw new DeployHookNotReadyError(`The lineage "${lineage}" is not stored (deleted since the event?).`);
    const state = withAcmDeployment(stored.lineage.state, target, next(readAcmDeployment(stored.lineage.state, target)));
    // withAcmDeployment replaces the facts whole: a success clears an earlier lastError.
    try {
      await deps.store.putLineage({ spec: stored.lineage.spec, state }, { expectedEtag: stored.etag });
      return;
    } catch (error) {
      if (!(error instanceof LineageConflictError) || attempt >= CONFLICT_RETRIES) throw error;
    }
  }
}

/**
 * Deps from the environment: ACMEFLOW_BUCKET, ACMEFLOW_KMS_KEY_ID, ACMEFLOW_SECRET_PREFIX,
 * ACMEFLOW_KEY_STORE (the key is read from whichever store the lineage uses), ACMEFLOW_ACM_TARGETS
 * (the targets, see `parseAcmTargets`) and ACMEFLOW_ACM_ISSUER_TAG (the `acmeflow:issuer` tag value).
 */
async function awsDeps(): Promise<AcmImportHookDeps> {
  const [{ S3CertificateStore }, { issuerKeyStoreFor }, { readAwsEnvironment }, { parseAcmTargets }, { acmImporterFactory }, { Logger }] = await Promise.all([
    import('../../shared/store/s3/s3-certificate-store.js'),
    import('../runtime/adapters/keys.js'),
    import('../runtime/aws-env.js'),
    import('./targets.js'),
    import('./acm-clients.js'),
    import('@aws-lambda-powertools/logger'),
  ]);
  const env = readAwsEnvironment(process.env);
  const logger = new Logger({ serviceName: 'acmeflow' });
  const issuerTag = process.env.ACMEFLOW_ACM_ISSUER_TAG?.trim() || undefined;
  return {
    store: new S3CertificateStore({ bucket: env.bucket }),
    keys: issuerKeyStoreFor(env),
    targets: parseAcmTargets(process.env.ACMEFLOW_ACM_TARGETS, process.env.ACMEFLOW_ACM_REGION?.trim() || undefined),
    acmFor: acmImporterFactory({ defaultRegion: env.region, ...(issuerTag === undefined ? {} : { issuerTag }) }),
    log: { info: (message, fields) => logger.info(message, fields ?? {}), warn: (message, fields) => logger.warn(message, fields ?? {}) },
    now: () => new Date(),
  };
}

export const handler = makeHandler(awsDeps);
