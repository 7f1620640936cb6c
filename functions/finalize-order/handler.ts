import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { finalizeOrder } from '../../shared/workflow/finalize-order.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../runtime/make-step-handler.js';

/** FinalizeOrder: make the key (straight to the key store) and finalize with the CSR. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('FinalizeOrder', finalizeOrder, deps);
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
