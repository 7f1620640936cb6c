/**
 * The Lambda-backed steps: the name of each Task state, and the handler module behind it
 * (`functions/<step>/handler.ts`). Task states are bound by these names in the local engine.
 */
export const LAMBDA_STEPS = {
  PrepareOrder: 'prepare-order',
  PublishRecords: 'publish-records',
  CheckPropagation: 'check-propagation',
  RespondChallenges: 'respond-challenges',
  PollAuthorizations: 'poll-authorizations',
  FinalizeOrder: 'finalize-order',
  PollOrder: 'poll-order',
  StoreCertificate: 'store-certificate',
  CleanupRecords: 'cleanup-records',
  EmitIssued: 'emit-issued',
  EmitDeployable: 'emit-deployable',
  RecordFailure: 'record-failure',
  PlanRenewals: 'plan-renewals',
  CompleteSweep: 'complete-sweep',
  RevokeCertificate: 'revoke-certificate',
} as const;

export type LambdaStep = keyof typeof LAMBDA_STEPS;
export type HandlerFolder = (typeof LAMBDA_STEPS)[LambdaStep];

/** Maps each step to the value its Task's `Resource` gets: a function ARN (or a CDK token for one). */
export type ResourceFor = (step: LambdaStep) => string;
