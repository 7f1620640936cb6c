import type { LambdaStep, ResourceFor } from './lambda-resources.js';
import { TRANSIENT_RETRY } from './retry.js';

/**
 * The renewal sweep. PlanRenewals reads every lineage page by page and writes the due ones to a
 * plan object in S3; a **Distributed Map** reads that plan and starts one issuance execution per
 * lineage (bounded concurrency, failures tolerated), writing results back to S3; CompleteSweep
 * reads them and emits "Renewal Sweep Completed" when anything was attempted.
 *
 * A Standard execution keeps at most 25,000 history events, so an inline Map over 10,000
 * lineages would break; the Distributed Map runs each item as its own child execution instead.
 * The local engine binds the `RenewDue` state to a handler that runs the same issuance machine.
 */

export const SWEEP_TASKS: Readonly<Record<string, LambdaStep>> = {
  PlanRenewals: 'PlanRenewals',
  CompleteSweep: 'CompleteSweep',
};

/**
 * Issuances one sweep runs at once, and orders in flight across every sweep of the issuer (the
 * construct's `sweepConcurrency`). 50, from the ARI drill (`bench/ari-drill.ts`): when a CA moves
 * every renewal window of 10,000 lineages into the past, renewing them all within 12 hours at
 * 6-hourly sweeps (the schedule of 45-day certificates) takes at least 35 slots of ~75 s issuances;
 * 10 took 32.7 hours. Renewals that replace an ARI-flagged certificate are exempt from Let's
 * Encrypt's new-order limit, and the per-account new-order budget still paces the orders that are not.
 */
export const DEFAULT_SWEEP_CONCURRENCY = 50;

/** The Distributed Map state; the local engine replaces it with a Task bound to a local handler. */
export const SWEEP_MAP_STATE = 'RenewDue';

export interface SweepDefinitionOptions {
  readonly resourceFor: ResourceFor;
  /** ARN of the issuance state machine (or a token for it). */
  readonly issuanceStateMachineArn: string;
  /** Bucket holding plans and results (or a token). */
  readonly bucketName: string;
  /** Issuances running at once. @default DEFAULT_SWEEP_CONCURRENCY (50) */
  readonly maxConcurrency?: number;
}

export function sweepDefinition(options: SweepDefinitionOptions): Record<string, unknown> {
  const { resourceFor } = options;
  return {
    Comment: 'acmeflow: plan renewals and issue every due lineage',
    StartAt: 'PlanRenewals',
    TimeoutSeconds: 24 * 60 * 60,
    States: {
      PlanRenewals: {
        Type: 'Task',
        Resource: resourceFor('PlanRenewals'),
        // The plan object is named after the execution, so a retried step overwrites its own plan.
        Parameters: { 'input.$': '$', 'sweepId.$': '$$.Execution.Name' },
        TimeoutSeconds: 900,
        Retry: [TRANSIENT_RETRY],
        Next: 'Anything due?',
      },
      'Anything due?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.due', NumericGreaterThan: 0, Next: SWEEP_MAP_STATE }],
        Default: 'CompleteSweep',
      },
      [SWEEP_MAP_STATE]: {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { Bucket: options.bucketName, 'Key.$': '$.planKey' },
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Issue',
          States: {
            Issue: {
              Type: 'Task',
              Resource: 'arn:aws:states:::states:startExecution.sync:2',
              Parameters: {
                StateMachineArn: options.issuanceStateMachineArn,
                'Input.$': '$',
              },
              // A child that found the lineage renewed meanwhile ends in its Skipped state.
              ResultSelector: { 'lineage.$': '$.Input.lineage', 'skipped.$': '$.Output.skipped', failed: false },
              // Too many executions at once is worth waiting for; a failed issuance is not retried here
              // (it has its own retries, its failure event and the lineage's backoff).
              Retry: [{ ErrorEquals: ['StepFunctions.ExecutionLimitExceeded'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'FULL' }],
              Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Issue failed' }],
              End: true,
            },
            'Issue failed': {
              Type: 'Pass',
              Parameters: { 'lineage.$': '$.lineage', failed: true },
              End: true,
            },
          },
        },
        MaxConcurrency: options.maxConcurrency ?? DEFAULT_SWEEP_CONCURRENCY,
        // One lineage failing must not stop the others: its failure is its own event and backoff.
        ToleratedFailurePercentage: 100,
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { Bucket: options.bucketName, 'Prefix.$': "States.Format('sweeps/{}/results', $$.Execution.Name)" },
        },
        ResultPath: '$.results',
        Next: 'CompleteSweep',
      },
      CompleteSweep: {
        Type: 'Task',
        Resource: resourceFor('CompleteSweep'),
        TimeoutSeconds: 300,
        Retry: [TRANSIENT_RETRY],
        End: true,
      },
    },
  };
}
