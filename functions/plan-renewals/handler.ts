import 'reflect-metadata';
import { planSweep } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';
import { planRenewalsEventSchema } from '../shared/step-inputs.js';

/**
 * PlanRenewals: decide every lineage (all pages), write the due ones as the sweep's plan.
 * Input `{ input: { force?, lineages?, dryRun?, nextRunAt? }, sweepId }`; returns `{ planKey?, due, skipped, dryRun, force }`.
 */
export function makeHandler(deps: DepsSource): StepHandler {
  return makeStepHandler('PlanRenewals', (event) => parseInput('PlanRenewals', planRenewalsEventSchema, event), planSweep, deps);
}

export const handler = makeHandler(awsDeps);
