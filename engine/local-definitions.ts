import { ISSUANCE_TASKS, REVOCATION_TASKS, SWEEP_MAP_STATE, SWEEP_TASKS, type LambdaStep } from '../shared/workflow/machines/index.js';
import type { AslDefinition, AslDefinitions, AslState } from './definitions.js';
import { UnboundTaskError, UnsupportedDefinitionError } from './errors.js';

/**
 * What the local engine changes in a definition before aws-local-stepfunctions runs it, and the
 * checks that nothing in it can reach AWS.
 *
 * The one substitution: the sweep's **Distributed Map** `RenewDue` (an `ItemReader` over the plan
 * in S3, one child issuance execution per item through `states:startExecution.sync:2`, a
 * `ResultWriter` back to S3) cannot run locally — aws-local-stepfunctions runs neither Distributed
 * Maps, nor `ItemReader`/`ResultWriter`, nor `.sync` integrations. It is replaced by a Task state
 * of the **same name, `Next`/`End` and `ResultPath`**, bound to a local handler that reads the plan,
 * runs the issuance definition once per item with bounded concurrency (the Map's
 * `MaxConcurrency`), tolerates failures (the Map's `ToleratedFailurePercentage: 100`) and returns
 * `{ items: [{ lineage, failed }] }` — what the Map's item processor yields per item, inline instead
 * of through the ResultWriter, which the sweep store's `readResults` accepts. Every other state
 * runs as written.
 */

/** The Resource of the substituted RenewDue Task. Never called: the Task is bound to a local handler. */
export const LOCAL_RENEW_DUE_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:acmeflow-local-renew-due';

/** What the substitution keeps of the Distributed Map, for the local handler. */
export interface DistributedMapSettings {
  /** The state's name (`RenewDue`). */
  readonly stateName: string;
  /** The Map's `MaxConcurrency`. @default 10 when the Map sets none (the committed definitions always set one) */
  readonly maxConcurrency: number;
}

/** A definition with its Distributed Map replaced, and what the Map said. */
export interface LocalSweepDefinition {
  readonly definition: AslDefinition;
  readonly map: DistributedMapSettings;
}

const DEFAULT_MAX_CONCURRENCY = 10;
/** The sweep's own limit: the substituted Task may run as long as the whole sweep. */
const SUBSTITUTE_TIMEOUT_SECONDS = 24 * 60 * 60;

/**
 * Replaces the sweep's Distributed Map state (`RenewDue`) by a Task state with the same name,
 * `Next` (or `End`), `ResultPath`, `Retry` and `Catch`, whose input is the whole sweep state (it
 * carries `planKey`). Returns a new definition; the input is not changed.
 *
 * @example
 * ```ts
 * const { definition, map } = substituteDistributedMap((await loadDefinitions()).sweep);
 * definition.States.RenewDue.Type; // 'Task'
 * map.maxConcurrency;               // 10
 * ```
 */
export function substituteDistributedMap(sweep: AslDefinition, stateName: string = SWEEP_MAP_STATE): LocalSweepDefinition {
  const copy = structuredClone(sweep) as AslDefinition;
  const original = copy.States[stateName];
  if (!original) throw new UnsupportedDefinitionError(`The sweep definition has no state "${stateName}" to substitute.`, { state: stateName });
  if (original.Type !== 'Map') {
    throw new UnsupportedDefinitionError(`The sweep's "${stateName}" state is a ${original.Type}, not the Distributed Map the engine substitutes.`, {
      state: stateName,
    });
  }
  const maxConcurrency = typeof original.MaxConcurrency === 'number' && original.MaxConcurrency > 0 ? original.MaxConcurrency : DEFAULT_MAX_CONCURRENCY;
  const task: Record<string, unknown> = {
    Type: 'Task',
    Comment:
      'acmeflow local engine: stands in for the Distributed Map of the same name; runs the issuance definition per plan item ' +
      `(at most ${maxConcurrency} at once, failures tolerated) and returns { items: [{ lineage, failed }] }.`,
    Resource: LOCAL_RENEW_DUE_RESOURCE,
    TimeoutSeconds: SUBSTITUTE_TIMEOUT_SECONDS,
  };
  for (const field of ['ResultPath', 'Retry', 'Catch', 'Next', 'End'] as const) {
    if (field in original) task[field] = structuredClone(original[field]);
  }
  copy.States[stateName] = task as AslState;
  return { definition: copy, map: { stateName, maxConcurrency } };
}

/** Task state name → the Lambda step behind it, for each definition (`shared/workflow/machines` task maps). */
export const TASK_STEPS: Readonly<Record<keyof AslDefinitions, Readonly<Record<string, LambdaStep>>>> = {
  issuance: ISSUANCE_TASKS,
  sweep: SWEEP_TASKS,
  revocation: REVOCATION_TASKS,
};

/** Every state of a definition with its name, nested ones (Parallel branches, Map processors) included. */
export function allStates(definition: { readonly States: Record<string, AslState> }): [string, AslState][] {
  const found: [string, AslState][] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    found.push([name, state]);
    const nested: unknown[] = [state.ItemProcessor, state.Iterator, ...(Array.isArray(state.Branches) ? state.Branches : [])];
    for (const machine of nested) {
      if (machine && typeof machine === 'object' && 'States' in machine) found.push(...allStates(machine as { States: Record<string, AslState> }));
    }
  }
  return found;
}

/** The names of every Task state, in definition order. */
export function taskStateNames(definition: AslDefinition): string[] {
  return allStates(definition)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name);
}

/**
 * Refuses what aws-local-stepfunctions would not run as AWS does: a Distributed Map, an
 * `ItemReader`/`ResultWriter`, JSONata or `Assign`.
 */
export function assertRunnableLocally(definition: AslDefinition, label = 'state machine'): void {
  if (definition.QueryLanguage === 'JSONata') throw new UnsupportedDefinitionError(`The ${label} definition uses JSONata, which the local runner does not evaluate.`);
  for (const [name, state] of allStates(definition)) {
    const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
    if (state.Type === 'Map' && (processor?.ProcessorConfig?.Mode === 'DISTRIBUTED' || 'ItemReader' in state || 'ResultWriter' in state)) {
      throw new UnsupportedDefinitionError(`The ${label} state "${name}" is a Distributed Map; substitute it before running locally.`, { state: name });
    }
    if (state.QueryLanguage === 'JSONata' || 'Assign' in state) {
      throw new UnsupportedDefinitionError(`The ${label} state "${name}" uses JSONata or Assign, which the local runner does not evaluate.`, { state: name });
    }
  }
}

/**
 * The local handlers for exactly the Task states of a definition, or {@link UnboundTaskError}
 * naming every Task state without one. Handlers for names that are not Task states are ignored.
 *
 * @example
 * ```ts
 * const overrides = bindTaskStates(definition, { PrepareOrder: prepare, ... }, 'issuance');
 * stateMachine.run(input, { overrides: { taskResourceLocalHandlers: overrides } });
 * ```
 */
export function bindTaskStates<H>(definition: AslDefinition, handlers: Readonly<Record<string, H | undefined>>, label?: string): Record<string, H> {
  const bound: Record<string, H> = {};
  const unbound: string[] = [];
  for (const name of taskStateNames(definition)) {
    const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
    if (handler === undefined) unbound.push(name);
    else bound[name] = handler;
  }
  if (unbound.length > 0) throw new UnboundTaskError(unbound, label === undefined ? {} : { definition: label });
  return bound;
}
