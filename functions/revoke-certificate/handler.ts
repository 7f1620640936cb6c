import 'reflect-metadata';
import { revokeCertificate } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';
import { revokeCertificateEventSchema } from '../shared/step-inputs.js';

/** RevokeCertificate (RFC 8555 §7.6). Input `{ lineage, reason?, certificatePem? }`; returns `{ lineage, serialHex, reason }`. */
export function makeHandler(deps: DepsSource): StepHandler {
  return makeStepHandler('RevokeCertificate', (event) => parseInput('RevokeCertificate', revokeCertificateEventSchema, event), revokeCertificate, deps);
}

export const handler = makeHandler(awsDeps);
