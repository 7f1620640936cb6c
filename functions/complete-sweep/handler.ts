import 'reflect-metadata';
import { finishSweep, type SweepState } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';
import { completeSweepEventSchema } from '../shared/step-inputs.js';

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

export const handler = makeHandler(awsDeps);
