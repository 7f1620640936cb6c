import { ISSUANCE_FOLLOW_UP_STATE, ISSUANCE_TASKS, REVOCATION_TASKS, SWEEP_TASKS, type LambdaStep } from '../shared/workflow/machines/index.js';
import type { IssuanceInput, SweepInput, SweepState } from '../shared/workflow/index.js';
import type { SweepItem, SweepItemResult } from '../shared/store/index.js';
import type { AslDefinition, AslDefinitions } from './definitions.js';
import { runExecution, type ExecutionLogEntry, type ExecutionResult, type TaskContext, type TaskHandler } from './execution.js';
import { assertRunnableLocally, bindTaskStates, substituteDistributedMap, type DistributedMapSettings } from './local-definitions.js';
import type { StepHandlers } from './step-handlers.js';

/**
 * The three state machines run locally: each Task state bound by name to its step's handler (the
 * task maps of `shared/workflow/machines`), the sweep's Distributed Map replaced by a local stand-in
 * that runs the issuance definition per plan item (see local-definitions.ts). The local engine
 * builds this over filesystem deps; the state machine tests build it over the AWS adapters.
 */

/** The definitions as the runner runs them. */
export interface PreparedDefinitions {
  readonly issuance: AslDefinition;
  /** The sweep with `RenewDue` substituted by a Task. */
  readonly sweep: AslDefinition;
  readonly revocation: AslDefinition;
  /** What the Distributed Map said (its name, MaxConcurrency). */
  readonly renewDue: DistributedMapSettings;
}

/** Substitutes the sweep's Distributed Map and checks every definition can run locally. */
export function prepareDefinitions(definitions: AslDefinitions): PreparedDefinitions {
  const { definition: sweep, map } = substituteDistributedMap(definitions.sweep);
  assertRunnableLocally(definitions.issuance, 'issuance');
  assertRunnableLocally(sweep, 'sweep');
  assertRunnableLocally(definitions.revocation, 'revocation');
  return { issuance: definitions.issuance, sweep, revocation: definitions.revocation, renewDue: map };
}

export interface LocalStateMachinesOptions {
  readonly definitions: PreparedDefinitions;
  /** The handler of each Lambda step; a step left out leaves its Task states unbound (`UnboundTaskError`). */
  readonly steps: StepHandlers;
  /** The plan of a sweep, for the RenewDue stand-in: from the sweep state (`planKey`) or the sweep's execution name. */
  readonly readPlan: (state: SweepState, context: TaskContext) => Promise<readonly SweepItem[]>;
  /** Multiplies every Wait and Retry pause. @default 1 */
  readonly waitScale?: number;
  /** Issuances at once in a sweep. @default the Map's MaxConcurrency */
  readonly maxConcurrency?: number;
  /** Every execution event (the sweep's, and each child issuance's), as it happens. */
  readonly onEvent?: (entry: ExecutionLogEntry) => void;
  /** Called by the RenewDue stand-in once it has the plan, before the first issuance starts (the local engine's pre-hook). */
  readonly beforeRenewals?: (items: readonly SweepItem[]) => Promise<void>;
  /** Called when a child issuance of a sweep starts, with its execution name (for progress). */
  readonly onIssuanceStart?: (input: SweepItem, executionName: string) => void;
  /**
   * Where the issuance's follow-up goes (its `Schedule deployable` Task: an announce-only execution
   * that waits the rest of the deploy delay and emits `Certificate Deployable`). The parent
   * execution ends without waiting for it, as in AWS. @default started at once, in the background
   * (see {@link LocalStateMachines.followUps})
   */
  readonly startFollowUp?: (input: IssuanceInput, executionName: string) => Promise<void>;
}

/** One issuance execution, and what its failure path was given. */
export interface IssuanceRun {
  readonly lineage: string;
  readonly result: ExecutionResult;
  /** The Task inputs of RecordFailure (`{ state, error: { Error, Cause }, step }`) when the failure path ran. */
  readonly recordFailureInput?: { readonly error?: { readonly Error: string; readonly Cause?: string | null }; readonly step?: string };
}

/** One sweep execution and the issuances its RenewDue stand-in ran, in plan order. */
export interface SweepRun {
  readonly result: ExecutionResult;
  readonly issuances: readonly IssuanceRun[];
}

/** Runs `work` over `items`, at most `limit` at once; results in item order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export class LocalStateMachines {
  readonly #options: LocalStateMachinesOptions;
  readonly #followUps: Promise<IssuanceRun>[] = [];

  constructor(options: LocalStateMachinesOptions) {
    this.#options = options;
  }

  /** Handlers by state name for a task map; `observe` sees each Task's input. */
  #bindings(tasks: Readonly<Record<string, LambdaStep>>, observe?: (stateName: string, input: unknown) => void): Record<string, TaskHandler | undefined> {
    const bound: Record<string, TaskHandler | undefined> = {};
    for (const [stateName, step] of Object.entries(tasks)) {
      const handler = this.#options.steps[step];
      bound[stateName] =
        handler &&
        ((input, context) => {
          observe?.(stateName, input);
          return handler(input, context);
        });
    }
    return bound;
  }

  /** Throws `UnboundTaskError` unless every Task state of `definition` has a handler. */
  checkBound(which: 'issuance' | 'sweep' | 'revocation'): void {
    const { definitions } = this.#options;
    if (which === 'issuance') bindTaskStates(definitions.issuance, { ...this.#bindings(ISSUANCE_TASKS), [ISSUANCE_FOLLOW_UP_STATE]: this.#followUp }, 'issuance');
    if (which === 'revocation') bindTaskStates(definitions.revocation, this.#bindings(REVOCATION_TASKS), 'revocation');
    if (which === 'sweep') {
      bindTaskStates(definitions.sweep, { ...this.#bindings(SWEEP_TASKS), [definitions.renewDue.stateName]: async () => null }, 'sweep');
      this.checkBound('issuance');
    }
  }

  /** One issuance execution (input: the issuance input, as the Distributed Map passes each plan item). */
  async runIssuance(input: IssuanceInput, executionName: string, options: { readonly waitScale?: number } = {}): Promise<IssuanceRun> {
    let recordFailureInput: IssuanceRun['recordFailureInput'];
    const handlers = this.#bindings(ISSUANCE_TASKS, (stateName, taskInput) => {
      if (stateName === 'RecordFailure') recordFailureInput = taskInput as IssuanceRun['recordFailureInput'];
    });
    const result = await runExecution({
      definition: this.#options.definitions.issuance,
      label: 'issuance',
      input,
      executionName,
      handlers: { ...handlers, [ISSUANCE_FOLLOW_UP_STATE]: this.#followUp },
      ...((options.waitScale ?? this.#options.waitScale) === undefined ? {} : { waitScale: options.waitScale ?? this.#options.waitScale }),
      ...(this.#options.onEvent ? { onEvent: this.#options.onEvent } : {}),
    });
    return { lineage: input.lineage, result, ...(recordFailureInput ? { recordFailureInput } : {}) };
  }

  /**
   * Waits for the follow-up executions started so far by default (no `startFollowUp` option), and
   * those they start, and returns them in start order.
   */
  async followUps(): Promise<IssuanceRun[]> {
    const done: IssuanceRun[] = [];
    while (done.length < this.#followUps.length) done.push(await (this.#followUps[done.length] as Promise<IssuanceRun>));
    return done;
  }

  /** The `Schedule deployable` Task: `states:startExecution` of this machine, input `{ StateMachineArn, Input }`. */
  readonly #followUp: TaskHandler = async (task, context) => {
    const input = (task as { Input?: IssuanceInput }).Input;
    if (!input || typeof input.lineage !== 'string') throw new TypeError(`The ${ISSUANCE_FOLLOW_UP_STATE} Task got no execution input with a lineage.`);
    const name = `${context.executionName}-deployable`;
    if (this.#options.startFollowUp) await this.#options.startFollowUp(input, name);
    else this.#followUps.push(this.runIssuance(input, name));
    return { executionArn: `arn:aws:states:local:000000000000:execution:acmeflow-issuance:${name}` };
  };

  /** One sweep execution; its RenewDue stand-in runs the issuances. */
  async runSweep(input: SweepInput, executionName: string): Promise<SweepRun> {
    this.checkBound('sweep');
    const { definitions } = this.#options;
    const issuances: IssuanceRun[] = [];
    const limit = this.#options.maxConcurrency ?? definitions.renewDue.maxConcurrency;
    const renewDue: TaskHandler = async (state, context) => {
      const items = await this.#options.readPlan(state as SweepState, context);
      // certbot's pre-hook runs before renewals; a cleanup after an abandoned run is none.
      if (items.some((item) => !item.cleanupOnly && !item.announceOnly)) await this.#options.beforeRenewals?.(items);
      const runs = await mapWithConcurrency(items, limit, (item, index) => {
        const name = `${context.executionName}-${index + 1}`;
        this.#options.onIssuanceStart?.(item, name);
        // The Distributed Map's item processor: one child execution per plan item, its input the item.
        return this.runIssuance({ ...item }, name);
      });
      issuances.push(...runs);
      // What the Map's ResultSelector keeps of each child: a child that ordered nothing (renewed meanwhile,
      // held by another run, on hold, cleanup-only, announce-only) is skipped, so CompleteSweep counts it
      // apart from what it renewed.
      const results: SweepItemResult[] = runs.map((run) => ({
        lineage: run.lineage,
        failed: run.result.status === 'failed',
        ...(run.result.status === 'succeeded' && (run.result.output as { skipped?: unknown } | null)?.skipped === true ? { skipped: true } : {}),
      }));
      return { items: results };
    };
    const result = await runExecution({
      definition: definitions.sweep,
      label: 'sweep',
      input,
      executionName,
      handlers: { ...this.#bindings(SWEEP_TASKS), [definitions.renewDue.stateName]: renewDue },
      ...(this.#options.waitScale === undefined ? {} : { waitScale: this.#options.waitScale }),
      ...(this.#options.onEvent ? { onEvent: this.#options.onEvent } : {}),
    });
    return { result, issuances };
  }

  /** One revocation execution. */
  async runRevocation(input: { lineage: string; reason?: string; certificatePem?: string }, executionName: string): Promise<ExecutionResult> {
    return runExecution({
      definition: this.#options.definitions.revocation,
      label: 'revocation',
      input,
      executionName,
      handlers: this.#bindings(REVOCATION_TASKS),
      ...(this.#options.waitScale === undefined ? {} : { waitScale: this.#options.waitScale }),
      ...(this.#options.onEvent ? { onEvent: this.#options.onEvent } : {}),
    });
  }
}
