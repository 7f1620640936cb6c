import 'reflect-metadata';
import { cleanupRecords } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** CleanupRecords: remove our TXT values, drop an unused pending key, release the lock; reports \`cleanupErrors\`. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('CleanupRecords', cleanupRecords, deps);
}

export const handler = makeHandler(awsDeps);
