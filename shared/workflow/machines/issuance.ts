import type { LambdaStep, ResourceFor } from './lambda-resources.js';
import { ORDER_SLOT_RETRY, TRANSIENT_RETRY } from './retry.js';

/**
 * The issuance state machine (Amazon States Language, JSONPath; ARCHITECTURE.md, "Issuance data flow"):
 *
 *   PrepareOrder → PublishRecords → [CheckPropagation ─ Wait]* → RespondChallenges
 *   → [PollAuthorizations ─ Wait]* → FinalizeOrder → [PollOrder ─ Wait]* → StoreCertificate
 *   → CleanupRecords → EmitIssued → (deploy delay) → EmitDeployable
 *   any failure up to StoreCertificate → CleanupAfterFailure → RecordFailure → Fail
 *
 * Every wait is a Wait state driven by the step's `poll.waitSeconds`; each loop's step fails with
 * a typed error past its deadline, so no loop runs forever. Task states carry the whole execution
 * state (public data only) in and out.
 *
 * The tail, after the certificate is stored, never fails the execution: the lineage's outbox
 * (`state.announced`) says which events are out, a failure there ends in `Announcement owed` (a
 * success: the certificate is stored) and the next sweep announces what is owed. A deploy delay does
 * not hold this execution (nor the sweep's Map slot it runs in): {@link ISSUANCE_FOLLOW_UP_STATE}
 * starts an announce-only execution of this machine (`{ lineage, announceOnly: true }`, which begins
 * at EmitIssued) that waits the rest of the delay and emits `Certificate Deployable`.
 */

/** The Task that starts the follow-up execution emitting `Certificate Deployable` after the deploy delay (the local engine binds it by this name). */
export const ISSUANCE_FOLLOW_UP_STATE = 'Schedule deployable';

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

  const announcementOwed = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.announceError', Next: 'Announcement owed' }];

  const states: Record<string, unknown> = {
    // An announce-only execution (the sweep's, or this machine's follow-up) orders nothing.
    'Announce only?': {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.announceOnly', IsPresent: true },
            { Variable: '$.announceOnly', BooleanEquals: true },
          ],
          Next: 'EmitIssued',
        },
      ],
      Default: 'PrepareOrder',
    },
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
    // Stored: whatever fails from here on, the certificate is announced (now, or by the next sweep).
    CleanupRecords: task('CleanupRecords', 'EmitIssued', { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError', Next: 'EmitIssued' }] }),
    EmitIssued: task('EmitIssued', 'Deploy delay?', { Catch: announcementOwed }),
    'Deploy delay?': {
      Type: 'Choice',
      Choices: [
        { Variable: '$.deployDelaySeconds', NumericLessThanEquals: 0, Next: 'EmitDeployable' },
        // The follow-up execution itself waits (it holds no Map slot).
        {
          And: [
            { Variable: '$.announceOnly', IsPresent: true },
            { Variable: '$.announceOnly', BooleanEquals: true },
          ],
          Next: 'Wait deploy delay',
        },
      ],
      Default: ISSUANCE_FOLLOW_UP_STATE,
    },
    [ISSUANCE_FOLLOW_UP_STATE]: {
      Type: 'Task',
      // Fire and forget (no .sync): this execution ends now; the new one waits what is left of the delay.
      Resource: 'arn:aws:states:::states:startExecution',
      Parameters: {
        'StateMachineArn.$': '$$.StateMachine.Id',
        Input: { 'lineage.$': '$.lineage', announceOnly: true, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
      },
      ResultPath: null,
      TimeoutSeconds: 60,
      Retry: [{ ErrorEquals: ['StepFunctions.ExecutionLimitExceeded'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'FULL' }],
      // Could not start it: wait here instead, late rather than never.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.followUpError', Next: 'Wait deploy delay' }],
      Next: 'Done',
    },
    // The operator manual's CA updates its OCSP responder up to ~10 minutes after issuance.
    'Wait deploy delay': { Type: 'Wait', SecondsPath: '$.deployDelaySeconds', Next: 'EmitDeployable' },
    EmitDeployable: task('EmitDeployable', 'Done', { Catch: announcementOwed }),
    Done: { Type: 'Succeed' },
    // The certificate is stored and its outbox says what is missing: the next sweep publishes it.
    'Announcement owed': { Type: 'Succeed' },

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
    StartAt: 'Announce only?',
    // The longest follow-up waits the longest deploy delay (a day).
    TimeoutSeconds: 30 * 60 * 60,
    States: states,
  };
}
