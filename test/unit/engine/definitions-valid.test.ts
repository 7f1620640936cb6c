/**
 * The engine runs the committed definitions without validating them at every start, so they are
 * validated here, with aws-local-stepfunctions' own validator (ARNs and JSONPaths checked).
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../engine/definitions.js';
import { SWEEP_MAP_STATE } from '../../../shared/workflow/machines/index.js';

describe('the committed state machine definitions', () => {
  it('are valid Amazon States Language for the local runner', async () => {
    const defs = await loadDefinitions();
    for (const [name, definition] of Object.entries(defs)) {
      // The sweep's Distributed Map is replaced by a local Task before it runs; validate the rest as is.
      const runnable =
        name === 'sweep'
          ? { ...definition, States: { ...definition.States, [SWEEP_MAP_STATE]: { Type: 'Pass', Next: 'CompleteSweep' } } }
          : definition;
      expect(() => new StateMachine(runnable as unknown as StateMachineDefinition, { validationOptions: { checkArn: true, checkPaths: true } }), name).not.toThrow();
    }
  });

  it('would catch a broken definition', () => {
    const broken = { StartAt: 'Missing', States: { Only: { Type: 'Pass', End: true } } };
    expect(() => new StateMachine(broken as unknown as StateMachineDefinition, { validationOptions: { checkArn: true, checkPaths: true } })).toThrow();
  });
});
