import { describe, expect, it } from 'vitest';
import {
  allStates,
  assertRunnableLocally,
  bindTaskStates,
  loadDefinitions,
  LOCAL_RENEW_DUE_RESOURCE,
  PLACEHOLDER_ARN_PREFIX,
  prepareDefinitions,
  substituteDistributedMap,
  TASK_STEPS,
  taskStateNames,
  UnboundTaskError,
  UnsupportedDefinitionError,
  type AslDefinition,
} from '../../../engine/index.js';
import { definitionsFromBuilders } from '../../support/definitions-from-builders.js';
import { ISSUANCE_FOLLOW_UP_STATE, LAMBDA_STEPS, SWEEP_MAP_STATE, sweepDefinition } from '../../../shared/workflow/machines/index.js';

describe('loadDefinitions', () => {
  it('gives the three definitions with a placeholder function ARN on every Lambda Task, matching the task maps', async () => {
    const definitions = await loadDefinitions();
    for (const which of ['issuance', 'sweep', 'revocation'] as const) {
      const definition = definitions[which];
      const lambdaTasks = allStates(definition).filter(([, s]) => s.Type === 'Task' && String(s.Resource).startsWith('arn:aws:lambda:'));
      expect(lambdaTasks.map(([name]) => name).sort()).toEqual(Object.keys(TASK_STEPS[which]).sort());
      for (const [name, state] of lambdaTasks) {
        const step = TASK_STEPS[which][name]!;
        expect(state.Resource, name).toBe(`${PLACEHOLDER_ARN_PREFIX}${LAMBDA_STEPS[step]}`);
      }
    }
    // No CloudFormation token is left anywhere.
    expect(JSON.stringify(definitions)).not.toMatch(/Fn::|"Ref"|\$\{Token/);
  });

  it('runs the committed, synthesized definitions, which are what the builders make', async () => {
    expect(await loadDefinitions()).toEqual(definitionsFromBuilders());
  });

  it('returns fresh objects on every call', async () => {
    const a = await loadDefinitions();
    const b = await loadDefinitions();
    expect(a.sweep).not.toBe(b.sweep);
    expect(a.sweep).toEqual(b.sweep);
  });
});

describe('substituteDistributedMap', () => {
  it('replaces RenewDue by a Task with the same name, Next and ResultPath, and leaves the input alone', () => {
    const { sweep } = definitionsFromBuilders();
    const before = structuredClone(sweep);
    const original = sweep.States[SWEEP_MAP_STATE]!;
    expect(original.Type).toBe('Map');
    const { definition, map } = substituteDistributedMap(sweep);
    const task = definition.States[SWEEP_MAP_STATE]!;
    expect(task).toMatchObject({ Type: 'Task', Resource: LOCAL_RENEW_DUE_RESOURCE, Next: original.Next, ResultPath: original.ResultPath });
    expect(task.Next).toBe('CompleteSweep');
    expect(task.ResultPath).toBe('$.results');
    expect(task).not.toHaveProperty('ItemReader');
    expect(task).not.toHaveProperty('ResultWriter');
    expect(task).not.toHaveProperty('ItemProcessor');
    // Long enough for a whole sweep (the default Task timeout of the runner is 60 s).
    expect(task.TimeoutSeconds as number).toBeGreaterThanOrEqual(3600);
    expect(map).toEqual({ stateName: SWEEP_MAP_STATE, maxConcurrency: 10 });
    expect(sweep).toEqual(before);
    // Everything else is untouched.
    const { [SWEEP_MAP_STATE]: _a, ...restAfter } = definition.States;
    const { [SWEEP_MAP_STATE]: _b, ...restBefore } = before.States;
    expect(restAfter).toEqual(restBefore);
  });

  it('keeps the Map\u2019s MaxConcurrency for the stand-in', () => {
    const sweep = sweepDefinition({ resourceFor: (s) => `${PLACEHOLDER_ARN_PREFIX}${LAMBDA_STEPS[s]}`, issuanceStateMachineArn: 'arn', bucketName: 'b', maxConcurrency: 3 });
    expect(substituteDistributedMap(sweep as AslDefinition).map.maxConcurrency).toBe(3);
  });

  it('refuses a state that is not a Map, or a missing one', () => {
    const { sweep } = definitionsFromBuilders();
    expect(() => substituteDistributedMap(sweep, 'PlanRenewals')).toThrow(UnsupportedDefinitionError);
    expect(() => substituteDistributedMap(sweep, 'Nope')).toThrow(expect.objectContaining({ name: 'UnsupportedDefinitionError', state: 'Nope' }));
  });
});

describe('assertRunnableLocally', () => {
  it('refuses the sweep with its Distributed Map, accepts it substituted', () => {
    const { sweep, issuance, revocation } = definitionsFromBuilders();
    expect(() => assertRunnableLocally(sweep, 'sweep')).toThrow(expect.objectContaining({ name: 'UnsupportedDefinitionError', state: SWEEP_MAP_STATE }));
    expect(() => assertRunnableLocally(substituteDistributedMap(sweep).definition)).not.toThrow();
    expect(() => assertRunnableLocally(issuance)).not.toThrow();
    expect(() => assertRunnableLocally(revocation)).not.toThrow();
  });

  it('refuses JSONata and Assign', () => {
    const base = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } as AslDefinition;
    expect(() => assertRunnableLocally({ ...base, QueryLanguage: 'JSONata' })).toThrow(UnsupportedDefinitionError);
    expect(() => assertRunnableLocally({ ...base, States: { A: { Type: 'Pass', Assign: { x: 1 }, End: true } } })).toThrow(UnsupportedDefinitionError);
  });

  it('prepareDefinitions substitutes the sweep and keeps the other two as they are', () => {
    const raw = definitionsFromBuilders();
    const prepared = prepareDefinitions(raw);
    expect(prepared.sweep.States[SWEEP_MAP_STATE]?.Type).toBe('Task');
    expect(prepared.issuance).toBe(raw.issuance);
    expect(prepared.revocation).toBe(raw.revocation);
    expect(allStates(prepared.sweep).some(([, s]) => s.Type === 'Map')).toBe(false);
  });
});

describe('task states and binding', () => {
  it('finds every Task state, the failure path\u2019s included', () => {
    const { issuance } = definitionsFromBuilders();
    // Every Lambda Task, and the follow-up's startExecution (bound by the engine itself).
    expect(taskStateNames(issuance).sort()).toEqual([...Object.keys(TASK_STEPS.issuance), ISSUANCE_FOLLOW_UP_STATE].sort());
    expect(taskStateNames(issuance)).toContain('CleanupAfterFailure');
  });

  it('finds Task states nested in a Map or Parallel', () => {
    const nested = {
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: 'arn:x', End: true } } }], Next: 'M' },
        M: { Type: 'Map', ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Task', Resource: 'arn:y', End: true } } }, End: true },
      },
    } as unknown as AslDefinition;
    expect(taskStateNames(nested)).toEqual(['Inner', 'Item']);
  });

  it('binds exactly the Task states, and names every unbound one in an UnboundTaskError', () => {
    const { definition } = substituteDistributedMap(definitionsFromBuilders().sweep);
    const handler = async () => null;
    const bound = bindTaskStates(definition, { PlanRenewals: handler, RenewDue: handler, CompleteSweep: handler, NotAState: handler });
    expect(Object.keys(bound).sort()).toEqual(['CompleteSweep', 'PlanRenewals', 'RenewDue']);

    let caught: unknown;
    try {
      bindTaskStates(definition, { PlanRenewals: handler }, 'sweep');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnboundTaskError);
    expect(caught).toMatchObject({ name: 'UnboundTaskError', states: ['RenewDue', 'CompleteSweep'] });
    expect((caught as Error).message).toContain('sweep');
  });

  it('an undefined handler counts as unbound', () => {
    const { revocation } = definitionsFromBuilders();
    expect(() => bindTaskStates(revocation, { RevokeCertificate: undefined })).toThrow(UnboundTaskError);
  });
});
