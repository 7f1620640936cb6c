import 'reflect-metadata';
import { recordFailure } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';
import { recordFailureEventSchema } from '../shared/step-inputs.js';

/**
 * RecordFailure: back off the lineage and emit "Certificate Issuance Failed" with the ACME problem
 * (read back from the Catch's `Cause`, see `describeError`). Input `{ state, error: { Error, Cause }, step }`.
 */
export function makeHandler(deps: DepsSource): StepHandler {
  return makeStepHandler(
    'RecordFailure',
    (event) => parseInput('RecordFailure', recordFailureEventSchema, event),
    (input, ready) => recordFailure(input, ready),
    deps,
  );
}

export const handler = makeHandler(awsDeps);
