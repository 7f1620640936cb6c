import { UsageError } from '../usage-error.js';

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
