import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { checkPropagation } from '../../shared/workflow/check-propagation.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../runtime/make-step-handler.js';

/** CheckPropagation: one propagation check; sets \`poll\` for the Wait loop. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('CheckPropagation', checkPropagation, deps);
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
