import 'reflect-metadata';
import { publishRecords } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** PublishRecords: publish the TXT records (upsert-merge; never waits). Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('PublishRecords', publishRecords, deps);
}

export const handler = makeHandler(awsDeps);
