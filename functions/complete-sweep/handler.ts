import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { skippedMetricsEmf, unreadableMetricsEmf } from '../../shared/workflow/machines/metrics.js';
import type { SweepSummary } from '../../shared/workflow/plan-renewals.js';
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

/**
 * Wraps the step so that, when lineages could not be read, it publishes their count as one
 * CloudWatch EMF line on stdout (the sweep-failed alarm adds it to failed executions), and likewise
 * the due lineages skipped because another run held them (`LineagesSkipped`, not alarmed). Once per
 * sweep: a retried step may write it again, which the alarm's threshold of 1 does not mind.
 */
export function withUnreadableMetric(
  complete: StepHandler,
  write: (line: string) => unknown = (line) => process.stdout.write(line),
  env: Record<string, string | undefined> = process.env,
  now: () => Date = () => new Date(),
): StepHandler {
  return async (event) => {
    const summary = (await complete(event)) as SweepSummary;
    if (summary.unreadableCount) write(`${JSON.stringify(unreadableMetricsEmf({ bucket: env.ACMEFLOW_BUCKET ?? '', unreadable: summary.unreadableCount, now: now() }))}\n`);
    if (summary.skippedDue) write(`${JSON.stringify(skippedMetricsEmf({ bucket: env.ACMEFLOW_BUCKET ?? '', skipped: summary.skippedDue, now: now() }))}\n`);
    return summary;
  };
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = withUnreadableMetric(makeHandler(loadAwsDeps));
