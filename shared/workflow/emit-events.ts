import type { AcmeProblem } from '../acme/errors.js';
import { explainProblem } from '../acme/explain.js';
import { nextFailureState } from '../renewal/failure-backoff.js';
import type { Announcement } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';
import type { IssuanceState } from './state.js';
import { markAnnounced } from './mark-announced.js';
import { parseStepErrorMessage } from './step-error.js';

/**
 * The announcement steps' state: the issuance's, or the input of an announce-only execution
 * (`{ lineage, announceOnly: true }`: the sweep's item for a version stored and not announced, or the
 * follow-up that emits `Certificate Deployable` once the deploy delay ended). Such an execution starts
 * at EmitIssued, which fills `result` from the stored lineage.
 */
export type AnnouncingState = Pick<IssuanceState, 'lineage' | 'dryRun'> &
  Partial<Pick<IssuanceState, 'renewal' | 'skipped' | 'skipReason' | 'result' | 'ariExplanationURL'>> & { readonly announceOnly?: boolean };

/**
 * Step 10: `Certificate Issued`, unless the lineage's outbox (`state.announced`) says it is out
 * already for this version (a retried step, a follow-up execution); then records it there. Returns
 * `deployDelaySeconds`, what is left of the deploy delay (the operator manual's CA needs ~10 minutes
 * before its OCSP responder knows the certificate), for the Choice and Wait states before
 * {@link emitDeployable}. Dry runs and skipped runs emit nothing. An announce-only execution ends as
 * skipped (`announceOnly`): it renewed nothing.
 */
export async function emitIssued<S extends AnnouncingState>(input: S, deps: WorkflowDeps): Promise<S & { deployDelaySeconds: number }> {
  const state = input.announceOnly ? await withStoredResult(input, deps) : input;
  if (!announces(state)) return { ...state, deployDelaySeconds: 0 };
  const result = state.result!;
  const stored = (await deps.store.getLineage(state.lineage))?.lineage;
  const delay = stored?.spec.deployDelaySeconds ?? 0;
  const outbox = stored?.state.announced?.version === result.version ? stored.state.announced : undefined;
  if (!outbox?.issued) {
    await deps.events.publish([
      {
        detailType: 'Certificate Issued',
        detail: {
          lineage: state.lineage,
          ...facts(result),
          renewal: state.renewal ?? false,
          deployDelaySeconds: delay,
          ...(state.ariExplanationURL ? { ariExplanationURL: state.ariExplanationURL } : {}),
        },
      },
    ]);
    await markAnnounced(deps, state.lineage, result.version, 'issued');
  }
  return { ...state, deployDelaySeconds: outbox ? delayLeft(outbox, deps.now()) : delay };
}

/** What is left of the delay, from the moment the version was stored: a follow-up or a later sweep waits only the rest. */
function delayLeft(outbox: Announcement, now: Date): number {
  if (outbox.deployable) return 0;
  const left = Math.ceil((Date.parse(outbox.deployableAt) - now.getTime()) / 1000);
  // An unreadable time waits no longer.
  return Number.isNaN(left) ? 0 : Math.max(0, left);
}

/** Step 11, once the deploy delay ended: `Certificate Deployable`, the trigger of deploy hooks, once per version (the outbox). */
export async function emitDeployable<S extends AnnouncingState>(state: S, deps: WorkflowDeps): Promise<S> {
  if (!announces(state)) return state;
  const result = state.result!;
  const outbox = (await deps.store.getLineage(state.lineage))?.lineage.state.announced;
  if (outbox?.version === result.version && outbox.deployable) return state;
  await deps.events.publish([{ detailType: 'Certificate Deployable', detail: { lineage: state.lineage, ...facts(result), renewal: state.renewal ?? false } }]);
  await markAnnounced(deps, state.lineage, result.version, 'deployable');
  return state;
}

/** An issuance that stored a certificate, or an announce-only execution that found one. */
function announces(state: AnnouncingState): boolean {
  if (state.dryRun || !state.result || state.result.version === 0) return false;
  return state.announceOnly === true || !state.skipped;
}

/**
 * An announce-only execution's state: the current version as stored (its facts and `live/` location),
 * marked skipped (`announceOnly`); without a result when the lineage has no certificate.
 */
async function withStoredResult<S extends AnnouncingState>(state: S, deps: WorkflowDeps): Promise<S> {
  const marked = { ...state, skipped: true, skipReason: 'announceOnly' as const };
  if (state.result) return marked;
  const stored = (await deps.store.getLineage(state.lineage))?.lineage;
  const current = stored?.state.current;
  if (!stored || !current || stored.state.currentVersion === 0) return marked;
  const where = deps.locate(state.lineage, stored.spec);
  return {
    ...marked,
    renewal: stored.state.currentVersion > 1,
    result: {
      version: stored.state.currentVersion,
      serialHex: current.serialHex,
      notBefore: current.notBefore,
      notAfter: current.notAfter,
      domains: [...current.domains],
      location: where.location,
      keyLocation: where.keyLocation,
    },
  };
}

function facts(r: NonNullable<IssuanceState['result']>) {
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
