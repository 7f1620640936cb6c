import { describe, expect, it, vi } from 'vitest';
import {
  LocalStateMachines,
  mapWithConcurrency,
  prepareDefinitions,
  UnboundTaskError,
  type ExecutionLogEntry,
  type StepHandlers,
  type TaskHandler,
} from '../../../engine/index.js';
import { definitionsFromBuilders } from '../../support/definitions-from-builders.js';
import type { SweepItem } from '../../../shared/store/index.js';

/**
 * The runner over fake steps: what the RenewDue stand-in does (plan → one issuance execution per
 * item, bounded, failures tolerated → `{ items }` for CompleteSweep), and that unbound Tasks stop a
 * run before any step.
 */

interface Gate {
  readonly running: Set<string>;
  maxRunning: number;
  release(lineage: string): void;
  waitFor(count: number): Promise<void>;
}

/** PrepareOrder of each lineage holds until released, so concurrency is observed without timing. */
function gate(): Gate & { enter(lineage: string): Promise<void> } {
  const releases = new Map<string, () => void>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const g = {
    running: new Set<string>(),
    maxRunning: 0,
    release(lineage: string) {
      releases.get(lineage)?.();
    },
    waitFor(count: number) {
      return new Promise<void>((resolve) => {
        if (g.running.size >= count) resolve();
        else waiters.push({ count, resolve });
      });
    },
    enter(lineage: string) {
      g.running.add(lineage);
      g.maxRunning = Math.max(g.maxRunning, g.running.size);
      for (const w of waiters.splice(0)) if (g.running.size >= w.count) w.resolve();
      else waiters.push(w);
      return new Promise<void>((resolve) =>
        releases.set(lineage, () => {
          g.running.delete(lineage);
          resolve();
        }),
      );
    },
  };
  return g;
}

/** Issuance steps that pass the state along (polls done at once); PrepareOrder may fail or skip by lineage. */
function fakeSteps(options: { failing?: string[]; skipping?: string[]; gate?: ReturnType<typeof gate> } = {}): StepHandlers & { calls: string[] } {
  const calls: string[] = [];
  const pass = (step: string, extra: Record<string, unknown> = {}): TaskHandler =>
    async (input) => {
      calls.push(step);
      return { ...(input as object), ...extra };
    };
  return {
    calls,
    PrepareOrder: async (input) => {
      const { input: execInput } = input as { input: { lineage: string } };
      calls.push(`PrepareOrder ${execInput.lineage}`);
      if (options.gate) await options.gate.enter(execInput.lineage);
      if (options.failing?.includes(execInput.lineage)) throw Object.assign(new Error('refused'), { name: 'AcmeProblemError' });
      return { lineage: execInput.lineage, skipped: options.skipping?.includes(execInput.lineage) ?? false };
    },
    PublishRecords: pass('PublishRecords'),
    CheckPropagation: pass('CheckPropagation', { poll: { done: true, waitSeconds: 0 } }),
    RespondChallenges: pass('RespondChallenges'),
    PollAuthorizations: pass('PollAuthorizations', { poll: { done: true, waitSeconds: 0 } }),
    FinalizeOrder: pass('FinalizeOrder', { poll: { done: true, waitSeconds: 0 } }),
    PollOrder: pass('PollOrder', { poll: { done: true, waitSeconds: 0 } }),
    StoreCertificate: pass('StoreCertificate', { result: { version: 1 } }),
    CleanupRecords: pass('CleanupRecords', { cleanupErrors: [] }),
    EmitIssued: pass('EmitIssued', { deployDelaySeconds: 0 }),
    EmitDeployable: pass('EmitDeployable'),
    RecordFailure: pass('RecordFailure'),
  };
}

const items = (...lineages: string[]): SweepItem[] => lineages.map((lineage) => ({ lineage, expectedVersion: 0, force: true, dryRun: false }));

describe('LocalStateMachines', () => {
  it('runs the issuance definition per plan item and hands { items } to CompleteSweep, failures tolerated', async () => {
    const steps = fakeSteps({ failing: ['bad'], skipping: ['late'] });
    const completeInputs: unknown[] = [];
    const plans: unknown[] = [];
    const machines = new LocalStateMachines({
      definitions: prepareDefinitions(definitionsFromBuilders()),
      steps: {
        ...steps,
        PlanRenewals: async (input) => ({ ...((input as { input: object }).input), planKey: 'sweeps/s/plan.json', due: 3, skipped: 4 }),
        CompleteSweep: async (input) => {
          completeInputs.push(input);
          return { attempted: 3 };
        },
      },
      readPlan: async (state, context) => {
        plans.push([state, context.executionName]);
        return items('good', 'bad', 'late');
      },
    });
    const run = await machines.runSweep({ force: true }, 'sweep-1');
    expect(run.result).toEqual({ status: 'succeeded', executionName: 'sweep-1', output: { attempted: 3 } });
    expect(plans).toEqual([[expect.objectContaining({ planKey: 'sweeps/s/plan.json', due: 3 }), 'sweep-1']]);
    expect(completeInputs).toEqual([
      expect.objectContaining({
        due: 3,
        skipped: 4,
        // As the Map's ResultSelector keeps them: a child that found the lineage renewed meanwhile is skipped.
        results: {
          items: [
            { lineage: 'good', failed: false },
            { lineage: 'bad', failed: true },
            { lineage: 'late', failed: false, skipped: true },
          ],
        },
      }),
    ]);
    expect(run.issuances.map((i) => [i.lineage, i.result.executionName, i.result.status])).toEqual([
      ['good', 'sweep-1-1', 'succeeded'],
      ['bad', 'sweep-1-2', 'failed'],
      ['late', 'sweep-1-3', 'succeeded'],
    ]);
    // The failed child went through its failure path, which saw the error.
    expect(run.issuances[1]?.recordFailureInput).toMatchObject({ step: 'PrepareOrder', error: { Error: 'AcmeProblemError' } });
    expect(steps.calls).toContain('RecordFailure');
  });

  it('does not go to the map when nothing is due', async () => {
    const readPlan = vi.fn(async () => [] as SweepItem[]);
    const machines = new LocalStateMachines({
      definitions: prepareDefinitions(definitionsFromBuilders()),
      steps: { ...fakeSteps(), PlanRenewals: async () => ({ due: 0, skipped: 2 }), CompleteSweep: async (input) => input },
      readPlan,
    });
    const run = await machines.runSweep({}, 'sweep-2');
    expect(run.result.status).toBe('succeeded');
    expect(readPlan).not.toHaveBeenCalled();
    expect(run.issuances).toEqual([]);
  });

  it('runs at most MaxConcurrency issuances at once', async () => {
    const g = gate();
    const events: ExecutionLogEntry[] = [];
    const machines = new LocalStateMachines({
      definitions: prepareDefinitions(definitionsFromBuilders()),
      steps: { ...fakeSteps({ gate: g }), PlanRenewals: async () => ({ due: 4, skipped: 0, planKey: 'k' }), CompleteSweep: async () => ({}) },
      readPlan: async () => items('a', 'b', 'c', 'd'),
      maxConcurrency: 2,
      onEvent: (e) => events.push(e),
    });
    const done = machines.runSweep({}, 'sweep-3');
    await g.waitFor(2);
    expect([...g.running].sort()).toEqual(['a', 'b']);
    g.release('a');
    await g.waitFor(2);
    expect([...g.running].sort()).toEqual(['b', 'c']);
    g.release('b');
    g.release('c');
    await g.waitFor(1);
    g.release('d');
    const run = await done;
    expect(run.result.status).toBe('succeeded');
    expect(g.maxRunning).toBe(2);
    // Child executions' events reach the same log, named by their execution.
    expect(new Set(events.map((e) => e.execution))).toEqual(new Set(['sweep-3', 'sweep-3-1', 'sweep-3-2', 'sweep-3-3', 'sweep-3-4']));
  });

  it('stops a sweep before any step when an issuance Task is unbound', async () => {
    const plan = vi.fn(async () => ({ due: 0, skipped: 0 }));
    const { EmitDeployable: _missing, ...steps } = fakeSteps();
    const machines = new LocalStateMachines({
      definitions: prepareDefinitions(definitionsFromBuilders()),
      steps: { ...steps, PlanRenewals: plan, CompleteSweep: async () => ({}) },
      readPlan: async () => [],
    });
    await expect(machines.runSweep({}, 'sweep-4')).rejects.toThrow(expect.objectContaining({ name: 'UnboundTaskError', states: ['EmitDeployable'] }));
    expect(plan).not.toHaveBeenCalled();
    expect(() => machines.checkBound('issuance')).toThrow(UnboundTaskError);
    expect(() => machines.checkBound('revocation')).toThrow(expect.objectContaining({ states: ['RevokeCertificate'] }));
  });
});

describe('mapWithConcurrency', () => {
  it('keeps item order and handles no items', async () => {
    expect(await mapWithConcurrency([3, 1, 2], 2, async (n, i) => `${n}@${i}`)).toEqual(['3@0', '1@1', '2@2']);
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
