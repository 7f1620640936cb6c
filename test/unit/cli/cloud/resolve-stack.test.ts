import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveStack, STACK_OUTPUTS } from '../../../../cli/cloud/index.js';
import { BUCKET, describeStacksAnswer, ISSUANCE_ARN, KMS_KEY, REGION, STACK, stackDoesNotExist, stackOutputs } from './cloud-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const client = () => new CloudFormationClient({ region: REGION });

beforeEach(() => cfn.reset());

describe('resolveStack', () => {
  it('reads the outputs with one DescribeStacks of the named stack', async () => {
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs()));
    const stack = await resolveStack(client(), { stackName: STACK, region: REGION }, ['bucketName', 'issuanceStateMachineArn']);
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: STACK }]);
    expect(stack).toEqual({ stackName: STACK, region: REGION, bucketName: BUCKET, issuanceStateMachineArn: ISSUANCE_ARN, kmsKeyArn: KMS_KEY, secretPrefix: 'acmeflow/' });
  });

  it('takes the secret prefix from its optional output, and does without a KMS key', async () => {
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer({ ...stackOutputs({ kms: false }), [STACK_OUTPUTS.secretPrefix]: 'team-a/' }));
    const stack = await resolveStack(client(), { stackName: STACK, region: REGION }, ['bucketName']);
    expect(stack).not.toHaveProperty('kmsKeyArn');
    expect(stack.secretPrefix).toBe('team-a/');
  });

  it('names the stack and the region when the stack does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackDoesNotExist());
    const error = await resolveStack(client(), { stackName: STACK, region: REGION }, ['bucketName']).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'StackNotFoundError', stackName: STACK, region: REGION });
    expect((error as Error).message).toContain(`No stack "${STACK}" in region ${REGION}`);
  });

  it('names the stack, the region, its status and every missing output key', async () => {
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs({ omit: [STACK_OUTPUTS.sweepStateMachineArn, STACK_OUTPUTS.bucketName] }), 'CREATE_IN_PROGRESS'));
    const error = await resolveStack(client(), { stackName: STACK, region: REGION }, ['bucketName', 'sweepStateMachineArn']).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'StackOutputMissingError', missing: ['AcmeflowBucketName', 'AcmeflowSweepStateMachineArn'] });
    expect((error as Error).message).toMatch(/"Acmeflow" in region ap-northeast-1 \(CREATE_IN_PROGRESS\) has no output AcmeflowBucketName, AcmeflowSweepStateMachineArn/);
  });

  it('asks only for the outputs the verb needs', async () => {
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs({ omit: [STACK_OUTPUTS.revocationStateMachineArn] })));
    await expect(resolveStack(client(), { stackName: STACK, region: REGION }, ['bucketName', 'sweepStateMachineArn'])).resolves.toMatchObject({ bucketName: BUCKET });
  });

  it('uses the region the SDK resolved when --region is not given, and says how to give one when there is none', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackDoesNotExist());
    await expect(resolveStack(new CloudFormationClient({ region: 'eu-west-1' }), { stackName: STACK }, ['bucketName'])).rejects.toMatchObject({
      name: 'StackNotFoundError',
      region: 'eu-west-1',
    });
    const noRegion = new CloudFormationClient({ region: async () => undefined as unknown as string });
    await expect(resolveStack(noRegion, { stackName: STACK }, ['bucketName'])).rejects.toMatchObject({ name: 'RegionMissingError' });
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('leaves other errors (credentials, access) as the SDK threw them', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' }));
    await expect(resolveStack(client(), { stackName: STACK, region: REGION }, ['bucketName'])).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
