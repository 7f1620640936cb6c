/**
 * Runs the issuance state machine's Tasks through the Lambda handlers, in process, with the
 * semantics of `shared/workflow/machines/issuance.ts`: every Task input and result crosses as JSON (as
 * through Lambda), Choice/Wait loops on `poll`, the transient-error Retry, and the Catch path
 * (`$.error`, `$.failedStep`, CleanupAfterFailure's `$.cleanup`, RecordFailure's Parameters).
 * A thrown error reaches the Catch as Step Functions builds it from Lambda's error JSON.
 */
import { LAMBDA_STEPS, TRANSIENT_ERRORS, type HandlerFolder } from '../../../../shared/workflow/machines/index.js';
import type { DepsSource, StepHandler } from '../../../../functions/runtime/make-step-handler.js';

export type Handlers = Readonly<Record<HandlerFolder, StepHandler>>;

/** Imports every `functions/<folder>/handler.ts` and binds its `makeHandler` to `deps`. */
export async function loadHandlers(deps: DepsSource): Promise<Handlers> {
  const entries = await Promise.all(
    Object.values(LAMBDA_STEPS).map(async (folder) => {
      const mod = (await import(`../../../../functions/${folder}/handler.ts`)) as { makeHandler: (d: DepsSource) => StepHandler };
      return [folder, mod.makeHandler(deps)] as const;
    }),
  );
  return Object.fromEntries(entries) as Handlers;
}

export interface CaughtError {
  readonly Error: string;
  readonly Cause: string;
}

export interface ExecutionResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output: Record<string, unknown>;
  /** Task states run, in order. */
  readonly trace: string[];
  /** Every Task input and result, as JSON text: what the execution history would hold. */
  readonly history: string[];
}

type State = Record<string, unknown>;
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a Catch puts at ResultPath: Lambda's error JSON as Cause. */
export function caught(error: unknown): CaughtError {
  const err = error instanceof Error ? error : new Error(String(error));
  return { Error: err.name, Cause: JSON.stringify({ errorType: err.name, errorMessage: err.message, trace: [] }) };
}

export class TaskFailed extends Error {
  constructor(readonly state: string, readonly error: unknown) {
    super(`${state} failed`);
    this.name = 'TaskFailed';
  }
}

export function makeRunner(handlers: Handlers, options: { waitScale?: number } = {}) {
  const scale = options.waitScale ?? 0.02;
  const trace: string[] = [];
  const history: string[] = [];

  /** One Task, with TRANSIENT_RETRY (4 attempts, shortened back-off). */
  async function task(state: string, folder: HandlerFolder, payload: unknown): Promise<State> {
    const event = json(payload);
    for (let attempt = 1; ; attempt++) {
      trace.push(state);
      history.push(JSON.stringify(event));
      try {
        const out = json(await handlers[folder](event)) as State;
        history.push(JSON.stringify(out));
        return out;
      } catch (error) {
        const name = (error as Error).name;
        if (attempt < 4 && (TRANSIENT_ERRORS as readonly string[]).includes(name)) {
          await sleep(2 ** attempt * 1000 * scale);
          continue;
        }
        history.push(JSON.stringify(caught(error)));
        throw new TaskFailed(state, error);
      }
    }
  }

  async function fail(state: State, error: unknown, failedStep: string, cleanup: boolean): Promise<ExecutionResult> {
    let s: State = { ...state, error: caught(error), failedStep };
    if (cleanup) {
      try {
        const out = await task('CleanupAfterFailure', LAMBDA_STEPS.CleanupRecords, s);
        s = { ...s, cleanup: { cleanupErrors: out['cleanupErrors'] } };
      } catch (e) {
        s = { ...s, cleanupError: caught((e as TaskFailed).error) };
      }
    }
    try {
      await task('RecordFailure', LAMBDA_STEPS.RecordFailure, { state: s, error: s['error'], step: s['failedStep'] });
    } catch (e) {
      s = { ...s, recordError: caught((e as TaskFailed).error) };
    }
    return { status: 'FAILED', output: s, trace, history };
  }

  /** The issuance execution for `input`, named `executionName`. */
  async function issuance(input: State, executionName: string): Promise<ExecutionResult> {
    let state: State;
    try {
      state = await task('PrepareOrder', LAMBDA_STEPS.PrepareOrder, { input, owner: executionName });
    } catch (e) {
      return fail(input, (e as TaskFailed).error, 'PrepareOrder', false);
    }
    if (state['skipped'] === true) return { status: 'SUCCEEDED', output: state, trace, history };
    const step = async (name: keyof typeof LAMBDA_STEPS) => {
      state = await task(name, LAMBDA_STEPS[name], state);
    };
    const loop = async (name: keyof typeof LAMBDA_STEPS) => {
      for (;;) {
        await step(name);
        const poll = state['poll'] as { done: boolean; waitSeconds: number };
        if (poll.done) return;
        await sleep(poll.waitSeconds * 1000 * scale);
      }
    };
    let current = 'PublishRecords';
    try {
      for (const name of ['PublishRecords', 'CheckPropagation', 'RespondChallenges', 'PollAuthorizations', 'FinalizeOrder', 'PollOrder', 'StoreCertificate'] as const) {
        current = name;
        if (name === 'CheckPropagation' || name === 'PollAuthorizations') await loop(name);
        else if (name === 'PollOrder') {
          // FinalizeOrder's poll decides whether PollOrder runs at all ("Issued?").
          const poll = state['poll'] as { done: boolean; waitSeconds: number } | undefined;
          if (poll?.done !== true) {
            await sleep((poll?.waitSeconds ?? 1) * 1000 * scale);
            await loop(name);
          }
        } else await step(name);
      }
    } catch (e) {
      // ResultPath $.error on the failed Task's input (`state` is only replaced by a Task that succeeded).
      return fail(state, (e as TaskFailed).error, current, true);
    }
    await step('CleanupRecords');
    await step('EmitIssued');
    await sleep(Number(state['deployDelaySeconds'] ?? 0) * 1000 * scale);
    await step('EmitDeployable');
    return { status: 'SUCCEEDED', output: state, trace, history };
  }

  return { task, issuance, trace, history };
}
