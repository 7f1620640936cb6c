import { UsageError } from '../usage-error.js';
import { sanitizeDisplayText } from '../../shared/text/index.js';

/**
 * Errors of cloud mode. Those about the stack are {@link UsageError}s: the command exits 2 before
 * it writes anything or starts an execution, with the fix in the message.
 */

/** `DescribeStacks` knows no such stack in that region. */
export class StackNotFoundError extends UsageError {
  readonly stackName: string;
  readonly region: string;

  constructor(stackName: string, region: string) {
    super(
      `No stack "${stackName}" in region ${region}. Give the name of the deployed acmeflow stack with --stack NAME ` +
        `and its region with --region R (or AWS_REGION), or deploy it first (cdk deploy).`,
    );
    this.name = 'StackNotFoundError';
    this.stackName = stackName;
    this.region = region;
  }
}

/** The stack exists but lacks outputs this command needs (an older or unfinished deployment, or another stack). */
export class StackOutputMissingError extends UsageError {
  readonly stackName: string;
  readonly region: string;
  readonly missing: readonly string[];

  constructor(stackName: string, region: string, missing: readonly string[], status?: string) {
    super(
      `The stack "${stackName}" in region ${region}${status ? ` (${status})` : ''} has no output ${missing.join(', ')}. ` +
        `Is it an acmeflow stack, deployed completely with this version? Deploy it again (cdk deploy), or give the right --stack/--region.`,
    );
    this.name = 'StackOutputMissingError';
    this.stackName = stackName;
    this.region = region;
    this.missing = [...missing];
  }
}

/** Neither `--region` nor the environment (AWS_REGION, the profile) names a region. */
export class RegionMissingError extends UsageError {
  constructor(stackName: string) {
    super(`No AWS region for the stack "${stackName}": give --region R (e.g. --region ap-northeast-1), or set AWS_REGION or the profile's region.`);
    this.name = 'RegionMissingError';
  }
}

/** Names the AWS SDK gives credential failures, which carry no `$metadata` (no request was answered). */
const SDK_CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'ProviderError', 'TokenProviderError']);

/**
 * Whether `error` (or its cause) came from the AWS SDK: a service's answer (`$metadata`), a request
 * that got no answer (`$metadata` too), or the credential chain finding nothing. Our own typed
 * errors are not: they already say what to fix.
 */
export function isAwsSdkError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ('$metadata' in e || SDK_CREDENTIAL_ERRORS.has((e as { name?: unknown }).name as string)) return true;
  }
  return false;
}

/**
 * An AWS call of cloud mode failed with the SDK's own error (no credentials, expired ones, access
 * denied, an endpoint that does not answer). The SDK's message alone names none of the three things
 * the operator chose: the credentials, the region and the stack; this says which to check.
 */
export class CloudAccessError extends Error {
  readonly stackName: string;
  readonly region: string | undefined;
  /** The SDK error's name (`CredentialsProviderError`, `AccessDeniedException`, ...). */
  readonly awsErrorName: string;

  constructor(target: { readonly stackName: string; readonly region?: string | undefined }, cause: unknown) {
    const e = cause as { name?: unknown; message?: unknown };
    const name = typeof e?.name === 'string' ? e.name : 'Error';
    const message = sanitizeDisplayText(typeof e?.message === 'string' ? e.message : String(cause), 300);
    super(
      `AWS failed the call for the stack "${target.stackName}" (${target.region ? `region ${target.region}` : 'the region of the AWS profile'}): ${name}: ${message}. ` +
        'Check the credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID; "aws sts get-caller-identity" shows whose they are), ' +
        'the region (--region R or AWS_REGION: where the stack is deployed) and the stack name (--stack NAME: the CloudFormation stack of acmeflow).',
      { cause },
    );
    this.name = 'CloudAccessError';
    this.stackName = target.stackName;
    this.region = target.region;
    this.awsErrorName = name;
  }
}
