import 'reflect-metadata';
import { LINEAGE_NAME } from '../../shared/config/lineage-spec.js';
import { keyMatchesCertificate } from '../../shared/crypto/key-matches-certificate.js';
import type { AcmImportRequest, AcmImportResult } from '../../shared/store/acm/index.js';
import type { CertificateStore, KeyStore } from '../../shared/store/index.js';

/**
 * The ACM deploy hook: the target of an EventBridge rule on `Certificate Deployable`. It imports the
 * lineage's live certificate with its current key into ACM, re-importing under the ARN of the
 * certificate tagged `acmeflow:lineage=<name>` (so load balancers, CloudFront and API Gateway keep
 * using the same ARN across renewals), and refuses a key that does not match the certificate.
 * Runs after the lineage's deploy delay, like every other deploy hook.
 */

/** The part of the EventBridge event the hook reads. */
export interface DeployableEvent {
  readonly 'detail-type'?: string;
  readonly detail: { readonly lineage: string; readonly version: number };
}

export interface AcmImportHookDeps {
  readonly store: Pick<CertificateStore, 'getLive'>;
  readonly keys: Pick<KeyStore, 'getCurrentCertificateKey'>;
  readonly acm: { importCertificate(request: AcmImportRequest): Promise<AcmImportResult> };
  readonly log: { info(message: string, fields?: Record<string, unknown>): void };
}

/** The live certificate or its key is not (yet) the one the event announced. */
export class DeployHookNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployHookNotReadyError';
  }
}

/**
 * @example
 * ```ts
 * const hook = makeHandler(async () => ({ store, keys, acm: new AcmImportTarget(), log }));
 * await hook({ detail: { lineage: 'example.jp', version: 3 } }); // { lineage, version: 3, certificateArn, reimported: true }
 * ```
 */
export function makeHandler(depsSource: () => Promise<AcmImportHookDeps>) {
  let cached: Promise<AcmImportHookDeps> | undefined;
  return async (event: DeployableEvent): Promise<{ lineage: string; version: number; certificateArn: string; reimported: boolean }> => {
    const { lineage, version } = event.detail;
    if (typeof lineage !== 'string' || !LINEAGE_NAME.test(lineage)) throw new TypeError('The event names no valid lineage (detail.lineage).');
    cached ??= depsSource().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    const deps = await cached;
    const live = await deps.store.getLive(lineage);
    if (!live || live.version < version) {
      throw new DeployHookNotReadyError(`live/${lineage}/ serves version ${live?.version ?? 'none'}, the event announced version ${version}.`);
    }
    const privateKeyPem = await deps.keys.getCurrentCertificateKey(lineage);
    if (!privateKeyPem || !(await keyMatchesCertificate(privateKeyPem, live.certPem))) {
      throw new DeployHookNotReadyError(`The current key of "${lineage}" does not match version ${live.version} of its certificate.`);
    }
    const result = await deps.acm.importCertificate({ lineage, certificatePem: live.certPem, chainPem: live.chainPem, privateKeyPem });
    deps.log.info('Certificate imported into ACM.', { lineage, version: live.version, certificateArn: result.certificateArn, reimported: result.reimported });
    return { lineage, version: live.version, certificateArn: result.certificateArn, reimported: result.reimported };
  };
}

/**
 * Deps from the environment (ACMEFLOW_BUCKET, ACMEFLOW_KMS_KEY_ID, ACMEFLOW_SECRET_PREFIX,
 * ACMEFLOW_KEY_STORE, ACMEFLOW_ACM_REGION): the key is read from whichever store the lineage uses.
 */
async function awsDeps(): Promise<AcmImportHookDeps> {
  // The SDK clients come through modules that import them by name: a dynamic import of an SDK package
  // itself would bundle every one of its commands.
  const [{ ACMClient }, { AcmImportTarget }, { S3CertificateStore }, { issuerKeyStoreFor }, { readAwsEnvironment }, { Logger }] = await Promise.all([
    import('@aws-sdk/client-acm'),
    import('../../shared/store/acm/acm-import-target.js'),
    import('../../shared/store/s3/s3-certificate-store.js'),
    import('../runtime/adapters/keys.js'),
    import('../runtime/aws-env.js'),
    import('@aws-lambda-powertools/logger'),
  ]);
  const env = readAwsEnvironment(process.env);
  const region = process.env.ACMEFLOW_ACM_REGION || undefined;
  const logger = new Logger({ serviceName: 'acmeflow' });
  return {
    store: new S3CertificateStore({ bucket: env.bucket }),
    keys: issuerKeyStoreFor(env),
    acm: new AcmImportTarget({ client: new ACMClient(region ? { region } : {}) }),
    log: { info: (message, fields) => logger.info(message, fields ?? {}) },
  };
}

export const handler = makeHandler(awsDeps);
