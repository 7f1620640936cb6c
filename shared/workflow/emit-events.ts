import type { AcmeProblem } from '../acme/errors.js';
import { explainProblem } from '../acme/explain.js';
import { nextFailureState } from '../renewal/failure-backoff.js';
import type { WorkflowDeps } from './deps.js';
import type { IssuanceState } from './state.js';
import { parseStepErrorMessage } from './step-error.js';

/**
 * Step 10: `Certificate Issued`. The state machine then waits the lineage's deploy delay (the
 * operator manual's CA needs ~10 minutes before its OCSP responder knows the certificate) and
 * calls {@link emitDeployable}. Dry runs and skipped runs emit nothing.
 */
export async function emitIssued(state: IssuanceState, deps: WorkflowDeps): Promise<IssuanceState & { deployDelaySeconds: number }> {
  if (state.skipped || state.dryRun || !state.result) return { ...state, deployDelaySeconds: 0 };
  const lineage = (await deps.store.getLineage(state.lineage))?.lineage;
  const deployDelaySeconds = lineage?.spec.deployDelaySeconds ?? 0;
  await deps.events.publish([
    {
      detailType: 'Certificate Issued',
      detail: { lineage: state.lineage, ...facts(state), renewal: state.renewal, deployDelaySeconds, ...(state.ariExplanationURL ? { ariExplanationURL: state.ariExplanationURL } : {}) },
    },
  ]);
  return { ...state, deployDelaySeconds };
}

/** Step 11, after the Wait: `Certificate Deployable`, the trigger of deploy hooks. */
export async function emitDeployable(state: IssuanceState, deps: WorkflowDeps): Promise<IssuanceState> {
  if (state.skipped || state.dryRun || !state.result) return state;
  await deps.events.publish([{ detailType: 'Certificate Deployable', detail: { lineage: state.lineage, ...facts(state), renewal: state.renewal } }]);
  return state;
}

function facts(state: IssuanceState) {
  const r = state.result!;
  return {
    version: r.version,
    domains: r.domains,
    serialHex: r.serialHex,
    notBefore: r.notBefore,
    notAfter: r.notAfter,
    location: r.location,
    keyLocation: r.keyLocation,
  };
}

/** What a state machine's Catch hands to the failure path: `{ Error, Cause }` (Cause is the error's JSON or message). */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}

/** An error as it reaches the failure path: from a Catch (`{ Error, Cause }`) or thrown in-process. */
export function describeError(error: CaughtError | Error): { name: string; message: string; problem?: AcmeProblem; retryAfterSeconds?: number } {
  if (error instanceof Error) {
    const problem = (error as { problem?: AcmeProblem }).problem;
    const retryAfterSeconds = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    return { name: error.name, message: error.message, ...(problem ? { problem } : {}), ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
  }
  // Cause is Lambda's error JSON ({ errorType, errorMessage, trace }) or, locally, the message itself;
  // either way the message may be a StepErrorPayload (see toStepError).
  let text = error.Cause ?? '';
  try {
    const cause = JSON.parse(text) as { errorMessage?: unknown };
    if (cause && typeof cause === 'object' && typeof cause.errorMessage === 'string') text = cause.errorMessage;
  } catch {
    // not Lambda's JSON
  }
  const payload = parseStepErrorMessage(text);
  return {
    name: error.Error,
    message: payload.message,
    ...(payload.problem ? { problem: payload.problem } : {}),
    ...(payload.retryAfterSeconds ? { retryAfterSeconds: payload.retryAfterSeconds } : {}),
  };
}

/**
 * The failure path's step: record the failure on the lineage (exponential backoff for the next
 * sweep) and emit `Certificate Issuance Failed` with the ACME problem and its explanation in
 * English and Japanese. Dry runs record nothing on the lineage.
 */
export async function recordFailure(
  input: { state: IssuanceState | { lineage: string; dryRun?: boolean }; error: CaughtError | Error; step: string },
  deps: WorkflowDeps,
): Promise<{ lineage: string; failed: true; error: { name: string; message: string } }> {
  const { state, step } = input;
  const err = describeError(input.error);
  const stored = await deps.store.getLineage(state.lineage);
  let failureCount: number | undefined;
  let retryNotBefore: string | undefined;
  if (stored && !state.dryRun) {
    const failures = nextFailureState(
      stored.lineage.state.failures,
      {
        name: err.name,
        message: err.message,
        ...(err.problem ? { problemType: err.problem.type } : {}),
        ...(err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
      },
      deps.now(),
    );
    failureCount = failures.count;
    retryNotBefore = failures.retryNotBefore;
    await deps.store
      .putLineage({ spec: stored.lineage.spec, state: { ...stored.lineage.state, failures } }, { expectedEtag: stored.etag })
      .catch((e: Error) => deps.log.warn('Could not record the failure on the lineage.', { lineage: state.lineage, error: e.message }));
  }
  const explanation = err.problem ? explainProblem(err.problem) : undefined;
  await deps.events.publish([
    {
      detailType: 'Certificate Issuance Failed',
      detail: {
        lineage: state.lineage,
        domains: [...(stored?.lineage.spec.domains ?? [])],
        step,
        error: { name: err.name, message: err.message },
        // The problem document as the CA sent it, subproblems included (plain JSON).
        ...(err.problem ? { problem: JSON.parse(JSON.stringify(err.problem)) as Record<string, unknown> & { type: string } } : {}),
        ...(explanation ? { explanation: { en: explanation.en, ja: explanation.ja } } : {}),
        ...(failureCount ? { failureCount } : {}),
        ...(retryNotBefore ? { retryNotBefore } : {}),
      },
    },
  ]);
  deps.log.error('Certificate issuance failed.', { lineage: state.lineage, step, error: err.name, message: err.message });
  return { lineage: state.lineage, failed: true, error: { name: err.name, message: err.message } };
}
