import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RegionMissingError, StackNotFoundError, StackOutputMissingError } from './errors.js';
import { DEFAULT_SECRET_PREFIX, STACK_OUTPUTS, type RequiredStackOutput } from './stack-outputs.js';

/** The deployed stack as the CLI uses it: where it is, and the outputs a verb asked for. */
export type DeployedStack<K extends RequiredStackOutput> = {
  readonly stackName: string;
  /** The region the stack was looked up in (`--region`, or the SDK's). */
  readonly region: string;
  readonly kmsKeyArn?: string;
  readonly secretPrefix: string;
} & { readonly [P in K]: string };

/** The region the client resolved (`--region` or the SDK's chain); {@link RegionMissingError} when there is none. */
export async function clientRegion(client: CloudFormationClient, stackName: string): Promise<string> {
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch {
    // the SDK's "Region is missing"
  }
  throw new RegionMissingError(stackName);
}

/**
 * Reads the stack's outputs (`DescribeStacks`). A stack that does not exist is
 * {@link StackNotFoundError}; one without every `required` output is {@link StackOutputMissingError}
 * naming the stack, the region and each missing key. Other errors (credentials, access) are the SDK's.
 *
 * @example
 * ```ts
 * const stack = await resolveStack(cfn, { stackName: 'Acmeflow', region: 'ap-northeast-1' }, ['bucketName', 'issuanceStateMachineArn']);
 * stack.bucketName; // 'acmeflow-certificates-123456789012'
 * ```
 */
export async function resolveStack<K extends RequiredStackOutput>(
  client: CloudFormationClient,
  target: { readonly stackName: string; readonly region?: string },
  required: readonly K[],
): Promise<DeployedStack<K>> {
  const region = target.region ?? (await clientRegion(client, target.stackName));
  let answer;
  try {
    answer = await client.send(new DescribeStacksCommand({ StackName: target.stackName }));
  } catch (error) {
    const e = error as { name?: string; message?: string };
    // CloudFormation answers a missing stack with a ValidationError "Stack with id X does not exist".
    if (e.name === 'ValidationError' && /does not exist/i.test(e.message ?? '')) throw new StackNotFoundError(target.stackName, region);
    throw error;
  }
  const stack = answer.Stacks?.[0];
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') throw new StackNotFoundError(target.stackName, region);
  const outputs = new Map((stack.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue] as const] : [])));
  const missing = required.filter((name) => !outputs.has(STACK_OUTPUTS[name])).map((name) => STACK_OUTPUTS[name]);
  if (missing.length > 0) throw new StackOutputMissingError(target.stackName, region, missing, stack.StackStatus);
  const kmsKeyArn = outputs.get(STACK_OUTPUTS.kmsKeyArn);
  return {
    stackName: stack.StackName ?? target.stackName,
    region,
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
    secretPrefix: outputs.get(STACK_OUTPUTS.secretPrefix) ?? DEFAULT_SECRET_PREFIX,
    ...Object.fromEntries(required.map((name) => [name, outputs.get(STACK_OUTPUTS[name]) as string])),
  } as DeployedStack<K>;
}
