import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { executionFailure } from '../../../../cli/cloud/index.js';
import { described, executionArn, historyEvent, lambdaCause, REJECTED } from './cloud-fixtures.js';

const sfn = mockClient(SFNClient);
const client = () => new SFNClient({ region: 'ap-northeast-1' });
const ARN = executionArn('AcmeflowIssuance', 'certonly-blocked.test-20260101T000000Z');
const FUNCTION = 'arn:aws:lambda:ap-northeast-1:111122223333:function:AcmeflowPrepareOrder';
/** The issuance machine's Fail state, as shared/workflow/machines/issuance.ts ends every failure. */
const issuanceFailed = () => described('FAILED', { executionArn: ARN, error: 'IssuanceFailed', cause: 'See the "Certificate Issuance Failed" event for the ACME problem and what to do.' });

beforeEach(() => sfn.reset());

describe('executionFailure', () => {
  it('reads the caught error and the failed step from the input of the Fail state, newest history first', async () => {
    const state = { lineage: 'blocked.test', error: { Error: 'AcmeProblemError', Cause: lambdaCause('AcmeProblemError', 'The CA refused the order', REJECTED) }, failedStep: 'PrepareOrder' };
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        historyEvent('ExecutionFailed', { executionFailedEventDetails: { error: 'IssuanceFailed' } }),
        historyEvent('FailStateEntered', { stateEnteredEventDetails: { name: 'Failed', input: JSON.stringify(state) } }),
        historyEvent('TaskStateExited', { stateExitedEventDetails: { name: 'RecordFailure' } }),
      ],
    });
    const failure = await executionFailure(client(), issuanceFailed());
    expect(failure).toMatchObject({ name: 'AcmeProblemError', message: 'The CA refused the order', problem: REJECTED, step: 'PrepareOrder' });
    expect(failure.explanation?.en).toBeTruthy();
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: ARN, reverseOrder: true, maxResults: 100, includeExecutionData: true },
    ]);
  });

  it('without a Fail state, takes the last LambdaFunctionFailed and the Task state that ran it, across pages', async () => {
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [historyEvent('ExecutionFailed'), historyEvent('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: 'AcmeProblemError', cause: lambdaCause('AcmeProblemError', 'refused', REJECTED) } })],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        events: [
          historyEvent('LambdaFunctionStarted'),
          historyEvent('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: FUNCTION } }),
          historyEvent('TaskStateEntered', { stateEnteredEventDetails: { name: 'PrepareOrder', input: '{}' } }),
        ],
      });
    const failure = await executionFailure(client(), issuanceFailed());
    expect(failure).toMatchObject({ name: 'AcmeProblemError', problem: REJECTED, step: 'PrepareOrder' });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[1]?.args[0].input).toMatchObject({ nextToken: 'page-2' });
  });

  it('reads TaskFailed (a lambda:invoke Task) the same way', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        historyEvent('TaskFailed', { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'DnsPropagationTimeoutError', cause: lambdaCause('DnsPropagationTimeoutError', 'TXT not visible on ns1.example.test after 600 s') } }),
        historyEvent('TaskStateEntered', { stateEnteredEventDetails: { name: 'CheckPropagation' } }),
      ],
    });
    await expect(executionFailure(client(), issuanceFailed())).resolves.toEqual({
      name: 'DnsPropagationTimeoutError',
      message: 'TXT not visible on ns1.example.test after 600 s',
      step: 'CheckPropagation',
    });
  });

  it('uses the execution\u2019s own cause when it carries the problem (a machine without a failure path), reading no history', async () => {
    const failure = await executionFailure(client(), described('FAILED', { executionArn: ARN, error: 'AcmeProblemError', cause: lambdaCause('AcmeProblemError', 'refused', { type: 'urn:ietf:params:acme:error:alreadyRevoked', status: 400 }) }));
    expect(failure).toMatchObject({ name: 'AcmeProblemError', problem: { type: 'urn:ietf:params:acme:error:alreadyRevoked' } });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
  });

  it('falls back to the execution\u2019s error when the history holds no failure', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [historyEvent('ExecutionFailed')] });
    await expect(executionFailure(client(), issuanceFailed())).resolves.toMatchObject({ name: 'IssuanceFailed', message: expect.stringContaining('Certificate Issuance Failed') });
  });

  it('says so for executions that timed out or were stopped', async () => {
    await expect(executionFailure(client(), described('TIMED_OUT', { executionArn: ARN }))).resolves.toMatchObject({ name: 'States.Timeout' });
    await expect(executionFailure(client(), described('ABORTED', { executionArn: ARN, cause: 'stopped by ops' }))).resolves.toMatchObject({
      name: 'ExecutionAborted',
      message: expect.stringContaining('stopped by ops'),
    });
  });
});
