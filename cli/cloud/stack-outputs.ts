/**
 * The contract between the `acmeflow` command's cloud mode and the deployed stack: the keys of the
 * CloudFormation outputs (`aws cloudformation describe-stacks`) the CLI reads. The CDK stack must
 * export exactly these keys (a `CfnOutput` with `key` set, so no construct path or hash is added).
 *
 * @example
 * ```ts
 * new CfnOutput(stack, 'BucketNameOutput', { key: BUCKET_NAME_OUTPUT, value: bucket.bucketName });
 * ```
 */

/** The certificate bucket (`renewal/`, `archive/`, `live/`). Required. */
export const BUCKET_NAME_OUTPUT = 'AcmeflowBucketName';
/** The issuance state machine; input `{ lineage, force?, dryRun? }`. Required by `certonly`. */
export const ISSUANCE_STATE_MACHINE_OUTPUT = 'AcmeflowIssuanceStateMachineArn';
/** The renewal sweep state machine; input `{ lineages?, force?, dryRun? }`. Required by `renew`. */
export const SWEEP_STATE_MACHINE_OUTPUT = 'AcmeflowSweepStateMachineArn';
/** The revocation state machine; input `{ lineage, reason?, certificatePem? }`. Required by `revoke`. */
export const REVOCATION_STATE_MACHINE_OUTPUT = 'AcmeflowRevocationStateMachineArn';
/** The KMS key the stack encrypts objects and secrets with. Optional: without it, the bucket's default encryption applies to what the CLI writes. */
export const KMS_KEY_OUTPUT = 'AcmeflowKmsKeyArn';
/**
 * The prefix of the stack's secrets (`<prefix>cert/<lineage>` holds a certificate's key). Optional:
 * only used to name where a key is kept; @default 'acmeflow/' (the construct's default).
 */
export const SECRET_PREFIX_OUTPUT = 'AcmeflowSecretPrefix';

/** Every output key the CLI reads, by the name the code uses. */
export const STACK_OUTPUTS = {
  bucketName: BUCKET_NAME_OUTPUT,
  issuanceStateMachineArn: ISSUANCE_STATE_MACHINE_OUTPUT,
  sweepStateMachineArn: SWEEP_STATE_MACHINE_OUTPUT,
  revocationStateMachineArn: REVOCATION_STATE_MACHINE_OUTPUT,
  kmsKeyArn: KMS_KEY_OUTPUT,
  secretPrefix: SECRET_PREFIX_OUTPUT,
} as const;

export type StackOutputName = keyof typeof STACK_OUTPUTS;

/** The outputs a verb may require; the others are optional everywhere. */
export type RequiredStackOutput = Exclude<StackOutputName, 'kmsKeyArn' | 'secretPrefix'>;

/** The secret prefix when the stack exports none (infra/acme-issuer.ts `DEFAULT_SECRET_PREFIX`). */
export const DEFAULT_SECRET_PREFIX = 'acmeflow/';
