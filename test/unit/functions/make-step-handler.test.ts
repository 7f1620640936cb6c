import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AcmeRateLimitedError } from '../../../shared/acme/index.js';
import { describeError, type WorkflowDeps } from '../../../shared/workflow/index.js';
import { InvalidStepInputError } from '../../../functions/runtime/errors.js';
import { makeStepHandler, memoizeDeps, parseInput } from '../../../functions/runtime/make-step-handler.js';
import { memoryDeps } from './support/memory-deps.js';

const anyInput = (event: unknown) => event;

describe('memoizeDeps', () => {
  it('builds the deps once, on the first call, and shares the build between concurrent first calls', async () => {
    const { deps } = memoryDeps();
    const factory = vi.fn(async () => deps);
    const get = memoizeDeps(factory);
    expect(factory).not.toHaveBeenCalled();
    const [a, b] = await Promise.all([get(), get()]);
    const c = await get();
    expect(factory).toHaveBeenCalledTimes(1);
    expect(a).toBe(deps);
    expect(b).toBe(deps);
    expect(c).toBe(deps);
  });

  it('tries a failed build again on the next call instead of keeping the rejection', async () => {
    const { deps } = memoryDeps();
    const factory = vi.fn<() => Promise<WorkflowDeps>>().mockRejectedValueOnce(new Error('secrets not reachable')).mockResolvedValue(deps);
    const get = memoizeDeps(factory);
    await expect(get()).rejects.toThrow('secrets not reachable');
    await expect(get()).resolves.toBe(deps);
    expect(factory).toHaveBeenCalledTimes(2);
  });

  it('takes ready deps as they are', async () => {
    const { deps } = memoryDeps();
    await expect(memoizeDeps(deps)()).resolves.toBe(deps);
  });
});

describe('makeStepHandler', () => {
  it('builds the deps on the first invocation only and reuses them afterwards', async () => {
    const { deps } = memoryDeps();
    const factory = vi.fn(async () => deps);
    const seen: WorkflowDeps[] = [];
    const handler = makeStepHandler('Test', anyInput, async (_input, d) => seen.push(d), factory);
    expect(factory).not.toHaveBeenCalled();
    await handler({});
    await handler({});
    expect(factory).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([deps, deps]);
  });

  it('rethrows through toStepError: same literal name, the ACME problem and Retry-After in the message JSON', async () => {
    const { deps, logs } = memoryDeps();
    const problem = { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many certificates for example.test', status: 429 };
    const handler = makeStepHandler(
      'PollOrder',
      anyInput,
      async () => {
        throw new AcmeRateLimitedError(problem, { retryAfterSeconds: 3600 });
      },
      deps,
    );
    const thrown = await handler({}).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown?.name).toBe('AcmeRateLimitedError');
    expect(JSON.parse(thrown?.message ?? '')).toMatchObject({ problem, retryAfterSeconds: 3600 });
    // What RecordFailure reads back from the Catch of the state machine (Lambda's error JSON as Cause).
    const cause = JSON.stringify({ errorType: thrown?.name, errorMessage: thrown?.message, trace: [] });
    expect(describeError({ Error: 'AcmeRateLimitedError', Cause: cause })).toMatchObject({ name: 'AcmeRateLimitedError', problem, retryAfterSeconds: 3600 });
    // Error level, naming the step: the command shows error lines only with -v (a retried step is no news).
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'Step PollOrder failed: AcmeRateLimitedError.', fields: expect.objectContaining({ step: 'PollOrder', error: 'AcmeRateLimitedError' }) }));
  });

  it('turns a thrown non-Error into an Error named "Error"', async () => {
    const { deps } = memoryDeps();
    const handler = makeStepHandler('Test', anyInput, async () => Promise.reject('just a string'), deps);
    await expect(handler({})).rejects.toMatchObject({ name: 'Error', message: 'just a string' });
  });

  it('returns plain JSON: undefined fields dropped, dates as ISO strings', async () => {
    const { deps } = memoryDeps();
    const handler = makeStepHandler('Test', anyInput, async () => ({ poll: undefined, at: new Date('2026-01-01T00:00:00Z'), n: 1 }), deps);
    const out = await handler({});
    expect(out).toEqual({ at: '2026-01-01T00:00:00.000Z', n: 1 });
    expect(Object.keys(out as object)).not.toContain('poll');
  });

  it('checks the input before building anything, with InvalidStepInputError naming paths, never values', async () => {
    const factory = vi.fn(async () => memoryDeps().deps);
    const schema = z.object({ lineage: z.string(), count: z.number() });
    const handler = makeStepHandler('Test', (event) => parseInput('Test', schema, event), async () => 'ran', factory);
    const thrown = (await handler({ lineage: 7, count: 'hunter2-secret' }).catch((err: unknown) => err)) as Error;
    expect(thrown.name).toBe('InvalidStepInputError');
    const message = JSON.parse(thrown.message).message as string;
    expect(message).toContain('lineage');
    expect(message).toContain('count');
    expect(message).not.toContain('hunter2');
    expect(factory).not.toHaveBeenCalled();
  });
});

describe('InvalidStepInputError', () => {
  it('has a literal name and keeps the step and the issues', () => {
    const err = new InvalidStepInputError('RecordFailure', ['error: Required']);
    expect(err.name).toBe('InvalidStepInputError');
    expect(err.step).toBe('RecordFailure');
    expect(err.issues).toEqual(['error: Required']);
  });
});
