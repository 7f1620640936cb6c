/**
 * The local engine without a CA: runs whose first step fails (an unknown lineage) or that find
 * nothing to do still go through the real definitions and handler modules, so the hook rules,
 * outcomes, execution names and progress can be checked on a bare config dir.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalEngine, RevocationFailedError, type StepProgress } from '../../../engine/index.js';
import type { Logger } from '../../../shared/workflow/index.js';

let dir: string;
let hookLog: string;
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-engine-unit-'));
  hookLog = join(dir, 'hooks.log');
  await writeFile(hookLog, '');
});

const hookLines = async () => (await readFile(hookLog, 'utf8')).split('\n').filter((l) => l !== '');

describe('LocalEngine', () => {
  it('refuses a negative or non-finite waitScale', () => {
    expect(() => new LocalEngine({ configDir: dir, waitScale: -1 })).toThrow(RangeError);
    expect(() => new LocalEngine({ configDir: dir, waitScale: Number.NaN })).toThrow(RangeError);
  });

  it('a failed issue: the outcome names the error and step, the failed event is logged, pre and post hooks run, a failed hook is reported', async () => {
    const progress: StepProgress[] = [];
    const engine = new LocalEngine({
      configDir: dir,
      log: quiet,
      waitScale: 0.01,
      hooks: { preHook: `echo pre >> ${hookLog}; exit 3`, deployHook: `echo deploy >> ${hookLog}`, postHook: `echo "post [$FAILED_DOMAINS]" >> ${hookLog}` },
      onStep: (e) => progress.push(e),
    });
    const outcome = await engine.issue({ lineage: 'missing.example' });
    expect(outcome).toMatchObject({
      status: 'failed',
      lineage: 'missing.example',
      dryRun: false,
      error: { name: 'LineageNotFoundError', step: 'PrepareOrder', message: expect.stringContaining('missing.example') },
    });
    expect(outcome.executionName).toMatch(/^local-\d+-\d+-\d+-[0-9a-f]{6}$/);
    expect(outcome.hookFailures).toEqual([expect.objectContaining({ hook: 'pre-hook', exitCode: 3 })]);
    expect(await hookLines()).toEqual(['pre', 'post []']);
    expect(engine.events).toEqual([
      { detailType: 'Certificate Issuance Failed', detail: expect.objectContaining({ lineage: 'missing.example', step: 'PrepareOrder', domains: [] }) },
    ]);
    // The failure is caught (to the failure path), so the state then exits.
    expect(progress.filter((p) => p.state === 'PrepareOrder').map((p) => p.phase)).toEqual(['enter', 'fail', 'exit']);
    expect(progress.every((p) => p.lineage === 'missing.example' && p.execution === outcome.executionName)).toBe(true);
    expect(progress.map((p) => p.state)).toContain('RecordFailure');
  });

  it('a sweep over no lineages attempts nothing, runs no hook and emits no event', async () => {
    const engine = new LocalEngine({ configDir: dir, log: quiet, hooks: { preHook: `echo pre >> ${hookLog}`, postHook: `echo post >> ${hookLog}` } });
    const outcome = await engine.sweep({});
    expect(outcome).toMatchObject({ attempted: 0, renewed: [], failed: [], skipped: 0, results: [], dryRun: false });
    expect(await hookLines()).toEqual([]);
    expect(engine.events).toEqual([]);
    // The execution ran: PlanRenewals, the Choice, CompleteSweep — not the map stand-in.
    const entered = engine.executionLog.filter((e) => (e as { type: string }).type === 'StateEntered').map((e) => (e as { state: { name: string } }).state.name);
    expect(entered).toEqual(['PlanRenewals', 'Anything due?', 'CompleteSweep']);
  });

  it('a failed revocation rejects with RevocationFailedError carrying the error', async () => {
    const engine = new LocalEngine({ configDir: dir, log: quiet });
    const err = await engine.revoke({ lineage: 'missing.example' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RevocationFailedError);
    expect(err).toMatchObject({ name: 'RevocationFailedError', failure: { name: 'LineageNotFoundError' } });
  });

  it('names every execution uniquely and logs every one of its events', async () => {
    const engine = new LocalEngine({ configDir: dir, log: quiet });
    const a = await engine.issue({ lineage: 'x' });
    const b = await engine.issue({ lineage: 'x' });
    expect(a.executionName).not.toBe(b.executionName);
    const byExecution = new Set(engine.executionLog.map((e) => (e as { execution: string }).execution));
    expect(byExecution).toEqual(new Set([a.executionName, b.executionName]));
    const types = engine.executionLog.map((e) => (e as { type: string }).type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(2);
    expect(types.filter((t) => t === 'ExecutionFailed')).toHaveLength(2);
  });
});
