import 'reflect-metadata';
import { emitIssued } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** EmitIssued: "Certificate Issued"; sets \`deployDelaySeconds\` for the Wait state. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('EmitIssued', emitIssued, deps);
}

export const handler = makeHandler(awsDeps);
