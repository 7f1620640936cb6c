import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { expiryMetricsEmf } from '../../shared/workflow/machines/metrics.js';
import { planSweep, type SweepState } from '../../shared/workflow/sweep.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../runtime/make-step-handler.js';
import { planRenewalsEventSchema } from '../runtime/step-inputs.js';

/**
 * PlanRenewals: decide every lineage (all pages), write the due ones as the sweep's plan.
 * Input `{ input: { force?, lineages?, dryRun?, nextRunAt? }, sweepId }`; returns `{ planKey?, due, skipped, dryRun, force, expiry? }`.
 */
export function makeHandler(deps: DepsSource): StepHandler {
  return makeStepHandler('PlanRenewals', (event) => parseInput('PlanRenewals', planRenewalsEventSchema, event), planSweep, deps);
}

/**
 * Wraps the plan step so that, after a full sweep, it also publishes the fleet's earliest expiry as
 * one CloudWatch EMF line on stdout (not console.log: Lambda's JSON log format would wrap it and
 * CloudWatch would not extract the metric). The "less than 14 days left" alarm watches it.
 */
export function withExpiryMetric(
  plan: StepHandler,
  write: (line: string) => unknown = (line) => process.stdout.write(line),
  env: Record<string, string | undefined> = process.env,
  now: () => Date = () => new Date(),
): StepHandler {
  return async (event) => {
    const state = (await plan(event)) as SweepState;
    if (state.expiry) write(`${JSON.stringify(expiryMetricsEmf({ bucket: env.ACMEFLOW_BUCKET ?? '', ...state.expiry, now: now() }))}\n`);
    return state;
  };
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = withExpiryMetric(makeHandler(loadAwsDeps));
