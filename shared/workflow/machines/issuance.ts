import type { LambdaStep, ResourceFor } from './lambda-resources.js';
import { ORDER_SLOT_RETRY, TRANSIENT_RETRY } from './retry.js';

/**
 * The issuance state machine (Amazon States Language, JSONPath; ARCHITECTURE.md, "Issuance data flow"):
 *
 *   PrepareOrder → PublishRecords → [CheckPropagation ─ Wait]* → RespondChallenges
 *   → [PollAuthorizations ─ Wait]* → FinalizeOrder → [PollOrder ─ Wait]* → StoreCertificate
 *   → CleanupRecords → EmitIssued → Wait deployDelay → EmitDeployable
 *   any failure → CleanupAfterFailure → RecordFailure → Fail
 *
 * Every wait is a Wait state driven by the step's `poll.waitSeconds`; each loop's step fails with
 * a typed error past its deadline, so no loop runs forever. Task states carry the whole execution
 * state (public data only) in and out.
 */

/** Task state name → the Lambda step behind it. */
export const ISSUANCE_TASKS: Readonly<Record<string, LambdaStep>> = {
  PrepareOrder: 'PrepareOrder',
  PublishRecords: 'PublishRecords',
  CheckPropagation: 'CheckPropagation',
  RespondChallenges: 'RespondChallenges',
  PollAuthorizations: 'PollAuthorizations',
  FinalizeOrder: 'FinalizeOrder',
  PollOrder: 'PollOrder',
  StoreCertificate: 'StoreCertificate',
  CleanupRecords: 'CleanupRecords',
  EmitIssued: 'EmitIssued',
  EmitDeployable: 'EmitDeployable',
  CleanupAfterFailure: 'CleanupRecords',
  RecordFailure: 'RecordFailure',
};

/** Steps after which a failure goes through cleanup (they may have published records). */
const STEPS_WITH_CLEANUP = [
  'PublishRecords',
  'CheckPropagation',
  'RespondChallenges',
  'PollAuthorizations',
  'FinalizeOrder',
  'PollOrder',
  'StoreCertificate',
] as const;

const TASK_TIMEOUT_SECONDS = 120;

export function issuanceDefinition(resourceFor: ResourceFor): Record<string, unknown> {
  const task = (name: string, next: string, extra: Record<string, unknown> = {}) => ({
    Type: 'Task',
    Resource: resourceFor(ISSUANCE_TASKS[name] as LambdaStep),
    TimeoutSeconds: TASK_TIMEOUT_SECONDS,
    Retry: [TRANSIENT_RETRY],
    Next: next,
    ...extra,
  });
  const catchTo = (failedStep: string) => [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `${failedStep} failed` }];
  const failedMarker = (step: string, next: string) => ({
    Type: 'Pass',
    Result: step,
    ResultPath: '$.failedStep',
    Next: next,
  });
  const pollLoop = (check: string, ready: string, wait: string, next: string) => ({
    [ready]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.poll.done', BooleanEquals: true, Next: next }],
      Default: wait,
    },
    [wait]: { Type: 'Wait', SecondsPath: '$.poll.waitSeconds', Next: check },
  });

  const states: Record<string, unknown> = {
    PrepareOrder: task('PrepareOrder', 'Skipped?', {
      // The execution's name owns the lineage lock: a retried step of this execution renews it.
      Parameters: { 'input.$': '$', 'owner.$': '$$.Execution.Name' },
      // A sweep's item waits here for a free order slot (one cap across every sweep of the issuer).
      Retry: [TRANSIENT_RETRY, ORDER_SLOT_RETRY],
      // prepareOrder releases its own lock on failure; there is nothing to clean up yet.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PrepareOrder failed' }],
    }),
    'Skipped?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.skipped', BooleanEquals: true, Next: 'Skipped' }],
      Default: 'PublishRecords',
    },
    Skipped: { Type: 'Succeed' },
    PublishRecords: task('PublishRecords', 'CheckPropagation', { Catch: catchTo('PublishRecords') }),
    CheckPropagation: task('CheckPropagation', 'Propagated?', { Catch: catchTo('CheckPropagation') }),
    ...pollLoop('CheckPropagation', 'Propagated?', 'Wait for propagation', 'RespondChallenges'),
    RespondChallenges: task('RespondChallenges', 'PollAuthorizations', { Catch: catchTo('RespondChallenges') }),
    PollAuthorizations: task('PollAuthorizations', 'Validated?', { Catch: catchTo('PollAuthorizations') }),
    ...pollLoop('PollAuthorizations', 'Validated?', 'Wait for validation', 'FinalizeOrder'),
    FinalizeOrder: task('FinalizeOrder', 'Issued?', { Catch: catchTo('FinalizeOrder') }),
    ...pollLoop('PollOrder', 'Issued?', 'Wait for issuance', 'StoreCertificate'),
    PollOrder: task('PollOrder', 'Issued?', { Catch: catchTo('PollOrder') }),
    StoreCertificate: task('StoreCertificate', 'CleanupRecords', { Catch: catchTo('StoreCertificate') }),
    CleanupRecords: task('CleanupRecords', 'EmitIssued'),
    EmitIssued: task('EmitIssued', 'Wait deploy delay'),
    // The operator manual's CA updates its OCSP responder up to ~10 minutes after issuance.
    'Wait deploy delay': { Type: 'Wait', SecondsPath: '$.deployDelaySeconds', Next: 'EmitDeployable' },
    EmitDeployable: task('EmitDeployable', 'Done'),
    Done: { Type: 'Succeed' },

    'PrepareOrder failed': failedMarker('PrepareOrder', 'RecordFailure'),
    ...Object.fromEntries(STEPS_WITH_CLEANUP.map((step) => [`${step} failed`, failedMarker(step, 'CleanupAfterFailure')])),
    CleanupAfterFailure: task('CleanupAfterFailure', 'RecordFailure', {
      // Cleanup's result replaces the state but the error and the failed step must survive it.
      ResultPath: '$.cleanup',
      ResultSelector: { 'cleanupErrors.$': '$.cleanupErrors' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError', Next: 'RecordFailure' }],
    }),
    RecordFailure: task('RecordFailure', 'Failed', {
      Parameters: { 'state.$': '$', 'error.$': '$.error', 'step.$': '$.failedStep' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'Failed' }],
    }),
    Failed: { Type: 'Fail', Error: 'IssuanceFailed', Cause: 'See the "Certificate Issuance Failed" event for the ACME problem and what to do.' },
  };
  return {
    Comment: 'acmeflow: issue or renew one certificate lineage with dns-01',
    StartAt: 'PrepareOrder',
    TimeoutSeconds: 6 * 60 * 60,
    States: states,
  };
}
