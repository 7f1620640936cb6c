import 'reflect-metadata';
import { pollAuthorizations } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** PollAuthorizations: one poll of the authorizations; sets \`poll\`. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('PollAuthorizations', pollAuthorizations, deps);
}

export const handler = makeHandler(awsDeps);
