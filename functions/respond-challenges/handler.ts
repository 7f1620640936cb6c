import 'reflect-metadata';
import { respondChallenges } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** RespondChallenges: tell the CA each dns-01 challenge is ready. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('RespondChallenges', respondChallenges, deps);
}

export const handler = makeHandler(awsDeps);
