import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { toStepError } from '../shared/workflow/step-error.js';
import type { AslDefinition } from './definitions.js';
import { assertRunnableLocally, bindTaskStates } from './local-definitions.js';
import { scaledRetryOverrides, scaledWaitOverrides, type LastTaskOutput } from './wait-scaling.js';

/**
 * One execution of a definition with aws-local-stepfunctions, every Task bound in process.
 *
 * A bound handler behaves as a Lambda behind a Task with a function ARN as `Resource`: it gets the
 * state's effective input (after `InputPath`/`Parameters`) as JSON and returns the result as JSON
 * (both round-trip through `JSON`, as Lambda's runtime does); what it throws fails the Task with the
 * error's `name` as Step Functions' `Error` and its message as `Cause`. The message is the
 * `toStepError` JSON (the ACME problem survives the Catch), and no `cause` is attached, so nothing
 * but name and message reaches the execution's events.
 */

/** What a bound handler learns besides its input. */
export interface TaskContext {
  /** The Task state being run. */
  readonly stateName: string;
  /** `$$.Execution.Name` of the execution running it. */
  readonly executionName: string;
}

/** A local handler of a Task state. */
export type TaskHandler = (input: unknown, context: TaskContext) => Promise<unknown>;

/** One event of an execution, as aws-local-stepfunctions' `eventLogs` yields it, with the execution's name. */
export interface ExecutionLogEntry {
  readonly execution: string;
  readonly type: string;
  readonly timestamp: number;
  readonly state?: { readonly name: string; readonly type: string; readonly input: unknown; readonly output?: unknown };
  readonly Error?: string;
  readonly Cause?: unknown;
  readonly [field: string]: unknown;
}

export interface RunExecutionOptions {
  readonly definition: AslDefinition;
  /** A name for errors (`issuance`, `sweep`, ...). */
  readonly label: string;
  readonly input: unknown;
  /** `$$.Execution.Name`: the definitions use it as the lock owner and the sweep id. */
  readonly executionName: string;
  /** Handlers by Task state name; every Task state must have one ({@link UnboundTaskError} otherwise, before anything runs). */
  readonly handlers: Readonly<Record<string, TaskHandler | undefined>>;
  /** Multiplies every Wait and Retry pause (see wait-scaling.ts). @default 1 */
  readonly waitScale?: number;
  /** Every event of the execution, in order, as it happens. */
  readonly onEvent?: (entry: ExecutionLogEntry) => void;
}

export type ExecutionResult =
  | { readonly status: 'succeeded'; readonly executionName: string; readonly output: unknown }
  | { readonly status: 'failed'; readonly executionName: string; readonly error: string; readonly cause: string };

const machines = new WeakMap<AslDefinition, StateMachine>();

function machineFor(definition: AslDefinition): StateMachine {
  let machine = machines.get(definition);
  if (!machine) {
    // The committed definitions are validated once in the tests (test/unit/engine/definitions-valid.test.ts);
    // validating again at every start costs 0.2-1 s of CPU per command.
    machine = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    machines.set(definition, machine);
  }
  return machine;
}

const toJson = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

/** True when the message is already a {@link toStepError} payload (a handler shell wrapped it). */
function isStepErrorJson(message: string): boolean {
  try {
    const parsed = JSON.parse(message) as unknown;
    return parsed !== null && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string';
  } catch {
    return false;
  }
}

/** The error a Task fails with: same literal name, the step-error JSON as message, no `cause`. */
export function taskError(err: unknown): Error {
  const wrapped = err instanceof Error && isStepErrorJson(err.message) ? err : toStepError(err);
  const plain = new Error(wrapped.message);
  plain.name = wrapped.name;
  return plain;
}

/**
 * Runs one execution to its end. Resolves with the output, or with the failure (`Error`/`Cause` of
 * the Fail state or of the error that ended it); rejects only for a definition that cannot run
 * ({@link UnboundTaskError}, `UnsupportedDefinitionError`, an invalid definition).
 */
export async function runExecution(options: RunExecutionOptions): Promise<ExecutionResult> {
  const { definition, executionName } = options;
  assertRunnableLocally(definition, options.label);
  const bound = bindTaskStates(definition, options.handlers, options.label);
  const machine = machineFor(definition);
  const scale = options.waitScale ?? 1;
  const last: LastTaskOutput = { value: undefined };
  const handlers = Object.fromEntries(
    Object.entries(bound).map(([stateName, handler]) => [
      stateName,
      async (input: unknown) => {
        let output: unknown;
        try {
          output = toJson(await handler(toJson(input), { stateName, executionName }));
        } catch (err) {
          throw taskError(err);
        }
        last.value = output;
        return output as never;
      },
    ]),
  );
  const waitTimeOverrides = scaledWaitOverrides(definition, scale, last);
  const retryIntervalOverrides = scaledRetryOverrides(definition, scale);
  const execution = machine.run(toJson(options.input) as never, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      ...(waitTimeOverrides ? { waitTimeOverrides } : {}),
      ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
    },
    context: {
      Execution: {
        Name: executionName,
        Id: `arn:aws:states:local:000000000000:execution:acmeflow-${options.label}:${executionName}`,
      },
      StateMachine: { Name: `acmeflow-${options.label}`, Id: `arn:aws:states:local:000000000000:stateMachine:acmeflow-${options.label}` },
    },
  });
  const logged = (async () => {
    for await (const event of execution.eventLogs) {
      options.onEvent?.({ ...(event as object), execution: executionName } as ExecutionLogEntry);
    }
  })();
  let result: ExecutionResult;
  try {
    result = { status: 'succeeded', executionName, output: await execution.result };
  } catch (err) {
    if (err instanceof ExecutionError) {
      const cause = err.cause as { name?: unknown; message?: unknown } | undefined;
      result = { status: 'failed', executionName, error: String(cause?.name ?? 'States.Runtime'), cause: String(cause?.message ?? err.message) };
    } else if (err instanceof ExecutionTimeoutError) {
      result = { status: 'failed', executionName, error: 'States.Timeout', cause: 'The execution ran past its TimeoutSeconds.' };
    } else if (err instanceof ExecutionAbortedError) {
      result = { status: 'failed', executionName, error: 'ExecutionAborted', cause: 'The execution was aborted.' };
    } else {
      throw err;
    }
  }
  await logged;
  return result;
}
