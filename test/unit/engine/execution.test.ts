import { describe, expect, it, vi } from 'vitest';
import {
  readSimplePath,
  runExecution,
  scaledRetryOverrides,
  scaledWaitOverrides,
  taskError,
  UnboundTaskError,
  type AslDefinition,
  type ExecutionLogEntry,
  type LastTaskOutput,
  type TaskHandler,
} from '../../../engine/index.js';
import { definitionsFromBuilders } from '../../support/definitions-from-builders.js';
import { AcmeProblemError } from '../../../shared/acme/index.js';
import { parseStepErrorMessage, toStepError } from '../../../shared/workflow/index.js';

const task = (next?: string) => ({ Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:acmeflow-x', ...(next ? { Next: next } : { End: true }) });

/** Check → Wait (SecondsPath) → Check again until done. */
const pollingDefinition = {
  StartAt: 'Check',
  States: {
    Check: task('Done?'),
    'Done?': { Type: 'Choice', Choices: [{ Variable: '$.poll.done', BooleanEquals: true, Next: 'End' }], Default: 'Wait a while' },
    'Wait a while': { Type: 'Wait', SecondsPath: '$.poll.waitSeconds', Next: 'Check' },
    End: { Type: 'Succeed' },
  },
} as unknown as AslDefinition;

describe('runExecution', () => {
  it('refuses to start with an unbound Task: nothing runs', async () => {
    const { issuance } = definitionsFromBuilders();
    const prepare = vi.fn(async () => ({}));
    await expect(
      runExecution({ definition: issuance, label: 'issuance', input: { lineage: 'x' }, executionName: 'e1', handlers: { PrepareOrder: prepare } }),
    ).rejects.toThrow(UnboundTaskError);
    expect(prepare).not.toHaveBeenCalled();
  });

  it('gives a handler the effective input (after Parameters) and the execution name as $$.Execution.Name', async () => {
    const definition = {
      StartAt: 'Prepare',
      States: { Prepare: { ...task(), Parameters: { 'input.$': '$', 'owner.$': '$$.Execution.Name' } } },
    } as unknown as AslDefinition;
    const seen: unknown[] = [];
    const result = await runExecution({
      definition,
      label: 'test',
      input: { lineage: 'a' },
      executionName: 'local-123',
      handlers: {
        Prepare: async (input, context) => {
          seen.push(input, context);
          return { ok: true, dropped: undefined };
        },
      },
    });
    expect(seen).toEqual([{ input: { lineage: 'a' }, owner: 'local-123' }, { stateName: 'Prepare', executionName: 'local-123' }]);
    // The result round-trips through JSON, as Lambda's does.
    expect(result).toEqual({ status: 'succeeded', executionName: 'local-123', output: { ok: true } });
  });

  it('a thrown error fails the Task with its literal name, the ACME problem in the Cause, and nothing else', async () => {
    const definition = {
      StartAt: 'Step',
      States: {
        Step: { ...task('Never'), Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record' }] },
        Never: { Type: 'Succeed' },
        Record: task(),
      },
    } as unknown as AslDefinition;
    const events: ExecutionLogEntry[] = [];
    let recorded: unknown;
    const problem = { type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'no', status: 400 };
    const failing = Object.assign(new AcmeProblemError(problem), { cause: { secret: 'should not travel' } });
    const result = await runExecution({
      definition,
      label: 'test',
      input: { lineage: 'a' },
      executionName: 'e2',
      handlers: {
        Step: async () => {
          throw failing;
        },
        Record: async (input) => (recorded = input),
      },
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe('succeeded');
    const error = (recorded as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('AcmeProblemError');
    expect(parseStepErrorMessage(error.Cause).problem).toMatchObject(problem);
    const failed = events.find((e) => e.type === 'StateFailed');
    expect(failed).toMatchObject({ execution: 'e2', Error: 'AcmeProblemError', state: { name: 'Step' } });
    expect(JSON.stringify(events)).not.toContain('should not travel');
  });

  it('reports an execution that ends in a Fail state or an uncaught error', async () => {
    const definition = { StartAt: 'Step', States: { Step: task() } } as unknown as AslDefinition;
    const result = await runExecution({
      definition,
      label: 'test',
      input: {},
      executionName: 'e3',
      handlers: { Step: async () => Promise.reject(Object.assign(new Error('gone'), { name: 'LineageNotFoundError' })) },
    });
    expect(result).toMatchObject({ status: 'failed', error: 'LineageNotFoundError' });
    expect(parseStepErrorMessage((result as { cause: string }).cause).message).toBe('gone');
  });

  it('scales a SecondsPath Wait by waitScale: a day-long poll wait finishes at once', async () => {
    let calls = 0;
    const result = await runExecution({
      definition: pollingDefinition,
      label: 'test',
      input: {},
      executionName: 'e4',
      // 86,400 s × 1e-7 ≈ 9 ms: the execution can only end if the wait was scaled.
      waitScale: 1e-7,
      handlers: { Check: async () => ({ poll: { done: ++calls >= 3, waitSeconds: 86_400 } }) },
    });
    expect(result.status).toBe('succeeded');
    expect(calls).toBe(3);
  });
});

describe('wait scaling', () => {
  it('answers each Wait\u2019s own length times the scale, read from the last Task output', () => {
    const { issuance } = definitionsFromBuilders();
    const last: LastTaskOutput = { value: undefined };
    const overrides = scaledWaitOverrides(issuance, 0.01, last)!;
    expect(Object.keys(overrides).sort()).toEqual(['Wait deploy delay', 'Wait for issuance', 'Wait for propagation', 'Wait for validation']);
    expect(overrides['Wait for propagation']).toBeUndefined();
    last.value = { poll: { waitSeconds: 4 }, deployDelaySeconds: 600 };
    expect(overrides['Wait for propagation']).toBe(40);
    expect(overrides['Wait deploy delay']).toBe(6000);
    last.value = { poll: { waitSeconds: 60 } };
    expect(overrides['Wait for validation']).toBe(600);
  });

  it('handles Seconds and Timestamp waits, and passes nothing at scale 1 (real waits)', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Wait', Seconds: 30, Next: 'B' },
        B: { Type: 'Wait', TimestampPath: '$.at', End: true },
      },
    } as unknown as AslDefinition;
    const last: LastTaskOutput = { value: { at: new Date(Date.now() + 3_600_000).toISOString() } };
    const overrides = scaledWaitOverrides(definition, 0.5, last)!;
    expect(overrides.A).toBe(15_000);
    expect(overrides.B).toBeGreaterThan(1_700_000);
    expect(overrides.B).toBeLessThanOrEqual(1_800_000);
    expect(scaledWaitOverrides(definition, 1, last)).toBeUndefined();
    expect(scaledRetryOverrides(definition, 1)).toBeUndefined();
  });

  it('scales every retrier\u2019s interval', () => {
    const { issuance } = definitionsFromBuilders();
    const retries = scaledRetryOverrides(issuance, 0.01)!;
    // TRANSIENT_RETRY: IntervalSeconds 2; ORDER_SLOT_RETRY (waiting for an order slot): 60.
    expect(retries.PrepareOrder).toEqual([20, 600]);
    expect(Object.keys(retries)).toContain('CleanupAfterFailure');
  });

  it('reads simple paths only', () => {
    expect(readSimplePath({ a: { b: 3 } }, '$.a.b')).toBe(3);
    expect(readSimplePath({ a: 1 }, '$')).toEqual({ a: 1 });
    expect(readSimplePath({ a: [1] }, '$.a[0]')).toBeUndefined();
    expect(readSimplePath(null, '$.a')).toBeUndefined();
    expect(readSimplePath({ a: {} }, '$.a.toString')).toBeUndefined();
  });
});

describe('taskError', () => {
  it('wraps a raw error once, keeps a wrapped one, and never attaches a cause', () => {
    const problem = { type: 'urn:ietf:params:acme:error:badCSR', detail: 'x' };
    const raw = Object.assign(new AcmeProblemError(problem), { cause: new Error('inner') });
    const once = taskError(raw);
    expect(once.name).toBe('AcmeProblemError');
    expect(parseStepErrorMessage(once.message).problem).toMatchObject(problem);
    expect(once.cause).toBeUndefined();
    const twice = taskError(toStepError(raw));
    expect(twice.message).toBe(once.message);
    expect(taskError('text')).toMatchObject({ name: 'Error' });
  });

  it('is what a bound handler\u2019s failure becomes', async () => {
    const handler: TaskHandler = async () => {
      throw new TypeError('bad');
    };
    const result = await runExecution({ definition: { StartAt: 'S', States: { S: task() } } as unknown as AslDefinition, label: 't', input: {}, executionName: 'e', handlers: { S: handler } });
    expect(result).toMatchObject({ status: 'failed', error: 'TypeError' });
  });
});
