import { GetExecutionHistoryCommand, type DescribeExecutionCommandOutput, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import type { EngineFailure } from '../../engine/errors.js';
import { failureOf } from '../../engine/outcomes.js';

/** History events of a failed step, and where their `error`/`cause` sit. */
const FAILURE_DETAILS = {
  LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
  LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
  LambdaFunctionScheduleFailed: 'lambdaFunctionScheduleFailedEventDetails',
  LambdaFunctionStartFailed: 'lambdaFunctionStartFailedEventDetails',
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  TaskStartFailed: 'taskStartFailedEventDetails',
  TaskSubmitFailed: 'taskSubmitFailedEventDetails',
} as const satisfies Record<string, keyof HistoryEvent>;

/** History pages read at most (newest first): the failure is among the last events. */
const MAX_PAGES = 10;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Why an execution that ended without success did, with the ACME problem when the CA sent one:
 *
 * - the execution's own `error`/`cause` (a step that failed the execution directly: the revocation,
 *   the sweep): `cause` is Lambda's error JSON whose message is the step-error payload;
 * - else the history, newest first (when it can be read): the issuance machine catches every step error and ends in the
 *   Fail state `IssuanceFailed`, whose input keeps the caught `error` and the `failedStep`; without a
 *   Fail state, the last `LambdaFunctionFailed`/`TaskFailed` (or timed-out) event and its state.
 *
 * @example
 * ```ts
 * const failure = await executionFailure(sfn, await sfn.send(new DescribeExecutionCommand({ executionArn })));
 * if (failure.problem) out.problem(failure.problem);
 * ```
 */
export async function executionFailure(sfn: SFNClient, execution: DescribeExecutionCommandOutput): Promise<EngineFailure> {
  const status = execution.status ?? 'FAILED';
  const cause = execution.cause ? ` ${execution.cause}` : '';
  if (status === 'TIMED_OUT') return { name: execution.error ?? 'States.Timeout', message: `The execution ran past its time limit.${cause}` };
  if (status === 'ABORTED') return { name: execution.error ?? 'ExecutionAborted', message: `The execution was stopped before it ended.${cause}` };
  const own = failureOf({ Error: execution.error ?? 'States.Runtime', ...(execution.cause ? { Cause: execution.cause } : {}) });
  if (own.problem || !execution.executionArn) return own;
  // The history only adds detail: without it (no states:GetExecutionHistory permission, say) the execution's own error stands.
  return (await failureFromHistory(sfn, execution.executionArn).catch(() => undefined)) ?? own;
}

/** The failure the history records, or undefined when it holds none (see {@link executionFailure}). */
export async function failureFromHistory(sfn: SFNClient, executionArn: string): Promise<EngineFailure | undefined> {
  let nextToken: string | undefined;
  let found: { error: string; cause?: string } | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, includeExecutionData: true, ...(nextToken ? { nextToken } : {}) }));
    for (const event of answer.events ?? []) {
      if (!found && event.type === 'FailStateEntered') {
        // The Catch put the step's error at $.error; the failure path marked the step at $.failedStep.
        const state = parseJson(event.stateEnteredEventDetails?.input) as { error?: { Error?: unknown; Cause?: unknown }; failedStep?: unknown } | undefined;
        if (typeof state?.error?.Error === 'string') {
          return failureOf(
            { Error: state.error.Error, ...(typeof state.error.Cause === 'string' ? { Cause: state.error.Cause } : {}) },
            typeof state.failedStep === 'string' ? state.failedStep : undefined,
          );
        }
        continue;
      }
      const detailsKey = FAILURE_DETAILS[event.type as keyof typeof FAILURE_DETAILS];
      if (!found && detailsKey) {
        const details = event[detailsKey] as { error?: string; cause?: string } | undefined;
        found = { error: details?.error ?? event.type ?? 'States.TaskFailed', ...(details?.cause ? { cause: details.cause } : {}) };
        continue;
      }
      // Newest first: the Task state that ran the failed function was entered just before it.
      if (found && event.type === 'TaskStateEntered') {
        return failureOf({ Error: found.error, ...(found.cause ? { Cause: found.cause } : {}) }, event.stateEnteredEventDetails?.name);
      }
    }
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return found ? failureOf({ Error: found.error, ...(found.cause ? { Cause: found.cause } : {}) }) : undefined;
}
