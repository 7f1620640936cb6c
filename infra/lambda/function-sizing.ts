import type { LambdaStep } from '../../shared/workflow/machines/index.js';

/*
 * How each step's function is sized: CDK settings only, beside the construct that applies them.
 * What a step may touch is the workflow's (shared/workflow/machines/step-access.ts).
 */

/** Task timeouts of the issuance steps are 120 s; the Lambda gives up first, so a retry can follow. */
export const STEP_TIMEOUT_SECONDS: Readonly<Record<LambdaStep, number>> = {
  PrepareOrder: 60,
  PublishRecords: 60,
  CheckPropagation: 60,
  RespondChallenges: 60,
  PollAuthorizations: 60,
  FinalizeOrder: 60,
  PollOrder: 60,
  StoreCertificate: 60,
  CleanupRecords: 60,
  EmitIssued: 30,
  EmitDeployable: 30,
  RecordFailure: 30,
  // A 10,000-lineage fleet: seconds from the planning index; the first sweep after deploy reads every
  // lineage (about a minute at 512 MB, bench/AWS-RESULTS.md §4), under the Task's 900 s.
  PlanRenewals: 600,
  CompleteSweep: 120,
  RevokeCertificate: 60,
};

/** RSA key generation (FinalizeOrder) is CPU-bound and Lambda scales CPU with memory; planning fits the default 512 MB. */
export const STEP_MEMORY_MB: Readonly<Partial<Record<LambdaStep, number>>> = {
  FinalizeOrder: 1024,
};

export const DEFAULT_MEMORY_MB = 512;
