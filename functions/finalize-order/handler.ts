import 'reflect-metadata';
import { finalizeOrder } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** FinalizeOrder: make the key (straight to the key store) and finalize with the CSR. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('FinalizeOrder', finalizeOrder, deps);
}

export const handler = makeHandler(awsDeps);
