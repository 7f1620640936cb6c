import 'reflect-metadata';
import { storeCertificate } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** StoreCertificate: download, check and store the certificate; promote the key. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('StoreCertificate', storeCertificate, deps);
}

export const handler = makeHandler(awsDeps);
