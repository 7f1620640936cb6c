import 'reflect-metadata';
import { decideCertificateReadiness, type ReadinessFailure } from '../../shared/store/acm/certificate-readiness.js';
import type { CertificateStore } from '../../shared/store/index.js';
import { sanitizeDisplayText } from '../../shared/text/index.js';
import { checked, type CertificateHandleEvent } from './resource.js';

/**
 * The completion check (`isCompleteHandler`) of the custom resource behind `issuer.certificate(name)`:
 * the deploy waits until the lineage's first certificate is stored and imported into the ACM target,
 * then answers its ARN (`CertificateArn`), which stays the same across renewals. A thin shell over
 * `decideCertificateReadiness`. The resource's `onEvent` is the ACM hook (functions/acm-import), which
 * notes when the wait began and imports a certificate issued before the target existed.
 *
 * - The check fails with `CertificateNotIssuedError`, whose message holds the ACME problem and its
 *   explanation, as soon as this deploy's issuance failed, and at the deadline with what is known.
 * - Delete does nothing, so a failed first deploy rolls back cleanly: the ACM certificate, if any,
 *   stays for the next deploy to re-import under (its ARN is in the lineage state).
 */

export interface CertificateHandleDeps {
  readonly store: Pick<CertificateStore, 'getLineage'>;
  readonly log: { info(message: string, fields?: Record<string, unknown>): void };
  now(): Date;
}

/** The first certificate could not be issued or imported; the message says why and what to do. */
export class CertificateNotIssuedError extends Error {
  readonly lineage: string;
  readonly problemType: string | undefined;
  constructor(lineage: string, message: string, problemType?: string) {
    super(message);
    this.name = 'CertificateNotIssuedError';
    this.lineage = lineage;
    this.problemType = problemType;
  }
}

/** The check ends this long before the provider's total timeout, so its own message reaches CloudFormation. */
export const DEADLINE_MARGIN_SECONDS = 90;

function describe(lineage: string, failure: ReadinessFailure): string {
  const what = failure.source === 'issuance' ? `The certificate "${lineage}" could not be issued` : `The certificate "${lineage}" could not be imported into ACM`;
  const problem = failure.problemType === undefined ? failure.name : `${failure.name}, ACME problem ${failure.problemType}`;
  // CloudFormation shows this as the resource's status reason, which holds a few KB at most.
  return `${what} (${problem}, ${failure.at}): ${sanitizeDisplayText(failure.message, 600)} ${failure.explanation.en} (acmeflow explain ${failure.explanation.type})`;
}

/**
 * @example
 * ```ts
 * const isComplete = makeHandler(async () => ({ store, log, now: () => new Date() }));
 * await isComplete({ RequestType: 'Create', ResourceProperties: { Lineage: 'example.com', Target: 'acm:us-east-1', TimeoutSeconds: '1800' }, Data: { StartedAt } });
 * // { IsComplete: true, Data: { CertificateArn: 'arn:aws:acm:us-east-1:…', Version: '1' } }
 * ```
 */
export function makeHandler(depsSource: () => Promise<CertificateHandleDeps>) {
  let cached: Promise<CertificateHandleDeps> | undefined;
  const load = () =>
    (cached ??= depsSource().catch((error: unknown) => {
      cached = undefined;
      throw error;
    }));

  const isComplete = async (event: CertificateHandleEvent): Promise<{ IsComplete: boolean; Data?: Record<string, string> }> => {
    if (event.RequestType === 'Delete') return { IsComplete: true };
    const { lineage, target, timeoutSeconds } = checked(event.ResourceProperties);
    const deps = await load();
    const now = deps.now();
    const startedAt = new Date(event.Data?.StartedAt ?? now.toISOString());
    const deadline = new Date(startedAt.getTime() + Math.max(timeoutSeconds - DEADLINE_MARGIN_SECONDS, 1) * 1000);
    const stored = await deps.store.getLineage(lineage);
    const readiness = decideCertificateReadiness({ lineage: stored?.lineage, target, startedAt, deadline, now });
    switch (readiness.status) {
      case 'ready':
        return { IsComplete: true, Data: { CertificateArn: readiness.certificateArn, Version: String(readiness.version) } };
      case 'pending':
        deps.log.info('Waiting for the certificate.', { lineage, target, reason: readiness.reason });
        return { IsComplete: false };
      case 'failed':
        throw new CertificateNotIssuedError(lineage, describe(lineage, readiness.failure), readiness.failure.problemType);
      case 'timed-out':
        throw new CertificateNotIssuedError(
          lineage,
          `The certificate "${lineage}" was not in ACM (${target}) within ${timeoutSeconds} s: ${readiness.reason}.` +
            (readiness.failure ? ` Last failure: ${describe(lineage, readiness.failure)}` : " Raise the handle's timeout, or look at the issuance execution of the lineage."),
          readiness.failure?.problemType,
        );
    }
  };

  return isComplete;
}

/** Deps from the environment: ACMEFLOW_BUCKET, AWS_REGION. */
async function awsDeps(): Promise<CertificateHandleDeps> {
  const [{ S3CertificateStore }, { readAwsEnvironment }, { Logger }] = await Promise.all([
    import('../../shared/store/s3/s3-certificate-store.js'),
    import('../runtime/aws-env.js'),
    import('@aws-lambda-powertools/logger'),
  ]);
  const env = readAwsEnvironment(process.env);
  const logger = new Logger({ serviceName: 'acmeflow' });
  return {
    store: new S3CertificateStore({ bucket: env.bucket }),
    log: { info: (message, fields) => logger.info(message, fields ?? {}) },
    now: () => new Date(),
  };
}

/** The provider's `isCompleteHandler`. */
export const handler = makeHandler(awsDeps);
