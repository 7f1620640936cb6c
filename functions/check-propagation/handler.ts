import 'reflect-metadata';
import { checkPropagation } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** CheckPropagation: one propagation check; sets \`poll\` for the Wait loop. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('CheckPropagation', checkPropagation, deps);
}

export const handler = makeHandler(awsDeps);
