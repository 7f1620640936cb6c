import { explainFailure, explainProblem } from '../../acme/explain.js';
import type { Lineage } from '../lineage.js';
import { readAcmDeployment } from './acm-deployment.js';

/**
 * Import errors that no retry of the hook can cure: the deploy waiting on the certificate fails at
 * once instead of waiting out its timeout.
 */
const FINAL_IMPORT_ERRORS: ReadonlySet<string> = new Set(['AcmImportDeniedError', 'AcmReimportRefusedError', 'ValidationException']);

export interface CertificateReadinessInput {
  /** The stored lineage (`undefined` before the deploy wrote it). */
  readonly lineage: Lineage | undefined;
  /** The ACM target's deployment name (`acm`, `acm:us-east-1`, ...). */
  readonly target: string;
  /** When the wait began (the custom resource's create or update): older failures are not this deploy's. */
  readonly startedAt: Date;
  /** After this, the wait ends with what is known. */
  readonly deadline: Date;
  readonly now: Date;
}

/** Why an issuance or import failed, with the explanation people read. */
export interface ReadinessFailure {
  readonly source: 'issuance' | 'import';
  readonly name: string;
  readonly message: string;
  /** The ACME problem type (RFC 8555 §6.7), when the CA answered one. */
  readonly problemType?: string;
  readonly explanation: { readonly type: string; readonly en: string; readonly ja: string };
  readonly at: string;
}

export type CertificateReadiness =
  | { readonly status: 'ready'; readonly certificateArn: string; readonly version: number }
  | { readonly status: 'failed'; readonly failure: ReadinessFailure }
  | { readonly status: 'pending'; readonly reason: string }
  | { readonly status: 'timed-out'; readonly reason: string; readonly failure?: ReadinessFailure };

const explain = (name: string, problemType: string | undefined, detail: string) => {
  if (problemType !== undefined) {
    const e = explainProblem({ type: problemType, detail });
    return { type: e.type, en: e.en, ja: e.ja };
  }
  const e = explainFailure(name);
  return { type: name, en: e.en, ja: e.ja };
};

/**
 * Whether a lineage's certificate is in an ACM target yet, for a deploy that waits on it (the
 * certificate handle's completion check). Pure: the clock and the stored lineage come in.
 *
 * - `ready` once the target's facts hold an ARN and an imported version: renewals re-import under
 *   that ARN, so it stays the answer.
 * - `failed` when the lineage has no certificate and an issuance failed since `startedAt` (the ACME
 *   problem and its explanation), or an import failed since then in a way no retry cures.
 * - `timed-out` at the deadline, with the last failure seen (even one older than this deploy).
 * - `pending` otherwise.
 *
 * @example
 * ```ts
 * decideCertificateReadiness({ lineage, target: 'acm:us-east-1', startedAt, deadline, now: new Date() });
 * // { status: 'ready', certificateArn: 'arn:aws:acm:us-east-1:…', version: 1 }
 * ```
 */
export function decideCertificateReadiness(input: CertificateReadinessInput): CertificateReadiness {
  const state = input.lineage?.state;
  const deployment = readAcmDeployment(state, input.target);
  if (deployment.certificateArn !== undefined && deployment.version !== undefined) {
    return { status: 'ready', certificateArn: deployment.certificateArn, version: deployment.version };
  }
  const since = (at: string) => Date.parse(at) >= input.startedAt.getTime();

  const issuanceFailure: ReadinessFailure | undefined = state?.failures
    ? {
        source: 'issuance',
        name: state.failures.lastError.name,
        message: state.failures.lastError.message,
        ...(state.failures.lastError.problemType === undefined ? {} : { problemType: state.failures.lastError.problemType }),
        explanation: explain(state.failures.lastError.name, state.failures.lastError.problemType, state.failures.lastError.message),
        at: state.failures.lastFailureAt,
      }
    : undefined;
  const importFailure: ReadinessFailure | undefined = deployment.lastError
    ? {
        source: 'import',
        name: deployment.lastError.name,
        message: deployment.lastError.message,
        explanation: explain(deployment.lastError.name, undefined, deployment.lastError.message),
        at: deployment.lastError.at,
      }
    : undefined;

  if (issuanceFailure && (state?.currentVersion ?? 0) === 0 && state?.inflight === undefined && since(issuanceFailure.at)) {
    return { status: 'failed', failure: issuanceFailure };
  }
  if (importFailure && since(importFailure.at) && FINAL_IMPORT_ERRORS.has(importFailure.name)) {
    return { status: 'failed', failure: importFailure };
  }
  if (input.now.getTime() >= input.deadline.getTime()) {
    const last = [issuanceFailure, importFailure].filter((f): f is ReadinessFailure => f !== undefined).sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
    const where =
      input.lineage === undefined
        ? 'the lineage is not stored yet'
        : (state?.currentVersion ?? 0) === 0
          ? 'no certificate has been issued yet'
          : `version ${state?.currentVersion} is issued but not imported into ${input.target} yet`;
    return {
      status: 'timed-out',
      reason: `${where}${state?.failures?.retryNotBefore ? `; the next attempt is not before ${state.failures.retryNotBefore}` : ''}`,
      ...(last ? { failure: last } : {}),
    };
  }
  if (input.lineage === undefined) return { status: 'pending', reason: 'the lineage is not stored yet' };
  if ((state?.currentVersion ?? 0) === 0) return { status: 'pending', reason: state?.inflight ? 'the first issuance is running' : 'waiting for the first issuance' };
  return { status: 'pending', reason: `version ${state?.currentVersion} is issued, waiting for its import into ${input.target}` };
}
