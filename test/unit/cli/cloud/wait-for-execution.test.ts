import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { pollDelays, waitForExecution } from '../../../../cli/cloud/index.js';
import { described, executionArn } from './cloud-fixtures.js';

const sfn = mockClient(SFNClient);
const ARN = executionArn('AcmeflowIssuance', 'certonly-example.com-20260101T000000Z');

beforeEach(() => sfn.reset());

describe('pollDelays', () => {
  it('starts at 2 s and grows by half to 10 s', () => {
    expect([...pollDelays({}, 7)]).toEqual([2000, 3000, 4500, 6750, 10000, 10000, 10000]);
  });

  it('takes other bounds', () => {
    expect([...pollDelays({ initialDelayMs: 10, maxDelayMs: 20 }, 4)]).toEqual([10, 15, 20, 20]);
  });
});

describe('waitForExecution', () => {
  it('looks at once, then polls DescribeExecution with backoff until the execution ends', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(described('RUNNING'))
      .resolvesOnce(described('RUNNING'))
      .resolvesOnce(described('PENDING_REDRIVE'))
      .resolvesOnce(described('RUNNING'))
      .resolves(described('SUCCEEDED', { output: '{"lineage":"example.com"}' }));
    const slept: number[] = [];
    const seen: string[] = [];
    const ended = await waitForExecution(new SFNClient({ region: 'ap-northeast-1' }), ARN, { sleep: async (ms) => void slept.push(ms) }, (a) => seen.push(a.status as string));
    expect(ended).toMatchObject({ status: 'SUCCEEDED', output: '{"lineage":"example.com"}' });
    expect(slept).toEqual([2000, 3000, 4500, 6750]);
    expect(seen).toEqual(['RUNNING', 'RUNNING', 'PENDING_REDRIVE', 'RUNNING']);
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual(Array(5).fill({ executionArn: ARN }));
  });

  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'])('returns a %s execution without sleeping', async (status) => {
    sfn.on(DescribeExecutionCommand).resolves(described(status));
    const slept: number[] = [];
    await expect(waitForExecution(new SFNClient({ region: 'ap-northeast-1' }), ARN, { sleep: async (ms) => void slept.push(ms) })).resolves.toMatchObject({ status });
    expect(slept).toEqual([]);
  });
});
