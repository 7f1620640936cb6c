import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { recordFailure } from '../../shared/workflow/emit-events.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../runtime/make-step-handler.js';
import { recordFailureEventSchema } from '../runtime/step-inputs.js';

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

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
