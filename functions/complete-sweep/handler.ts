import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { finishSweep, type SweepState } from '../../shared/workflow/sweep.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../runtime/make-step-handler.js';
import { completeSweepEventSchema } from '../runtime/step-inputs.js';

/**
 * CompleteSweep: read the map's results and emit "Renewal Sweep Completed" when anything was
 * attempted. Input: the sweep state `{ planKey?, due, skipped, dryRun, force, results? }`.
 */
export function makeHandler(deps: DepsSource): StepHandler {
  return makeStepHandler(
    'CompleteSweep',
    (event): SweepState => parseInput('CompleteSweep', completeSweepEventSchema, event) as SweepState,
    finishSweep,
    deps,
  );
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
