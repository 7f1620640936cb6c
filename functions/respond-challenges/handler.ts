import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { respondChallenges } from '../../shared/workflow/respond-challenges.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../runtime/make-step-handler.js';

/** RespondChallenges: tell the CA each dns-01 challenge is ready. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('RespondChallenges', respondChallenges, deps);
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
