import 'reflect-metadata';
import { pollOrder } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** PollOrder: one poll of the order after finalize; sets \`poll\`. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('PollOrder', pollOrder, deps);
}

export const handler = makeHandler(awsDeps);
