import 'reflect-metadata';
import { emitDeployable } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { issuanceStepHandler, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';

/** EmitDeployable: "Certificate Deployable", after the deploy delay. Takes the issuance state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return issuanceStepHandler('EmitDeployable', emitDeployable, deps);
}

export const handler = makeHandler(awsDeps);
