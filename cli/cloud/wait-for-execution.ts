import { setTimeout as delay } from 'node:timers/promises';
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, type SFNClient } from '@aws-sdk/client-sfn';

/** How `--wait` polls `DescribeExecution`. */
export interface PollOptions {
  /** The first pause. @default 2000 */
  readonly initialDelayMs?: number;
  /** The longest pause; each pause is 1.5 times the previous up to this. @default 10000 */
  readonly maxDelayMs?: number;
  /** @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Statuses of an execution that has not ended (a redrive is on its way back to RUNNING). */
const NOT_ENDED = new Set(['RUNNING', 'PENDING_REDRIVE']);

/**
 * The pauses between polls: 2 s growing by half each time to 10 s (an issuance takes from seconds
 * to the CA's deploy delay; the first answers come quickly, long waits cost few calls).
 *
 * @example
 * ```ts
 * [...pollDelays({}, 6)]; // [2000, 3000, 4500, 6750, 10000, 10000]
 * ```
 */
export function* pollDelays(options: PollOptions, count = Number.POSITIVE_INFINITY): Generator<number> {
  const max = options.maxDelayMs ?? 10_000;
  let next = Math.min(options.initialDelayMs ?? 2_000, max);
  for (let i = 0; i < count; i++) {
    yield next;
    next = Math.min(Math.round(next * 1.5), max);
  }
}

/**
 * Polls `DescribeExecution` until the execution ends (SUCCEEDED, FAILED, TIMED_OUT or ABORTED) and
 * returns the last answer. The first look is at once; `onRunning` hears each answer that is not final.
 *
 * @example
 * ```ts
 * const ended = await waitForExecution(sfn, executionArn, { initialDelayMs: 2000 });
 * if (ended.status === 'SUCCEEDED') JSON.parse(ended.output ?? 'null');
 * ```
 */
export async function waitForExecution(
  sfn: SFNClient,
  executionArn: string,
  options: PollOptions = {},
  onRunning?: (answer: DescribeExecutionCommandOutput) => void,
): Promise<DescribeExecutionCommandOutput> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const pauses = pollDelays(options);
  for (;;) {
    const answer = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (!NOT_ENDED.has(answer.status ?? 'RUNNING')) return { ...answer, executionArn: answer.executionArn ?? executionArn };
    onRunning?.(answer);
    await sleep(pauses.next().value as number);
  }
}
