import type { z } from 'zod';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { issuanceStateSchema, type IssuanceState } from '../../shared/workflow/state.js';
import { toStepError } from '../../shared/workflow/step-error.js';
import { InvalidStepInputError } from './errors.js';

/**
 * The shell every step handler shares: load, call the core, save (functions/README.md).
 *
 * - Deps come ready (the local engine's filesystem deps, a test's fakes) or from a factory (the
 *   Lambda's `functions/<step>/aws-deps.ts`); a factory is called on the first invocation and its result reused by
 *   every later one, so a warm container builds its clients once. A factory that failed is tried
 *   again next time.
 * - The input is checked before anything else; a wrong shape is {@link InvalidStepInputError}.
 * - The result is returned as plain JSON (what Lambda serializes anyway), so an in-process caller
 *   sees exactly what Step Functions would.
 * - Every error is rethrown through `toStepError`: its `name` stays the literal Step Functions
 *   matches in Retry/Catch, and its message carries the ACME problem for RecordFailure.
 */

/** Ready deps, or a factory of them. */
export type DepsSource = WorkflowDeps | (() => Promise<WorkflowDeps>);

/** What Lambda (and the local engine) calls: the Task's input after `Parameters`, the Task's result. */
export type StepHandler = (event: unknown) => Promise<unknown>;

/** Resolves a {@link DepsSource} once and keeps the result; a rejected build is not kept. */
export function memoizeDeps(source: DepsSource): () => Promise<WorkflowDeps> {
  if (typeof source !== 'function') {
    const ready = Promise.resolve(source);
    return () => ready;
  }
  let pending: Promise<WorkflowDeps> | undefined;
  return () => {
    pending ??= source().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** `path: message` for each zod issue; zod's messages name the rule, not the value. */
export function zodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length === 0 ? '(input)' : issue.path.map(String).join('.')}: ${issue.message}`);
}

/** Parses with `schema` or throws {@link InvalidStepInputError} for `step`. */
export function parseInput<S extends z.ZodType>(step: string, schema: S, event: unknown): z.output<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidStepInputError(step, zodIssues(parsed.error));
  return parsed.data;
}

function toPlainJson(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

function describe(error: unknown): { error: string; message: string } {
  return error instanceof Error ? { error: error.name, message: error.message } : { error: 'Error', message: String(error) };
}

/**
 * A step handler from an input parser and a core function.
 *
 * @example
 * ```ts
 * export const makeHandler = (deps: DepsSource) =>
 *   makeStepHandler('RevokeCertificate', (event) => parseInput('RevokeCertificate', revokeEventSchema, event), revokeCertificate, deps);
 * ```
 */
export function makeStepHandler<I>(step: string, parse: (event: unknown) => I, run: (input: I, deps: WorkflowDeps) => Promise<unknown>, source: DepsSource): StepHandler {
  const deps = memoizeDeps(source);
  return async (event: unknown) => {
    let ready: WorkflowDeps | undefined;
    try {
      const input = parse(event);
      ready = await deps();
      return toPlainJson(await run(input, ready));
    } catch (error) {
      // Error level: the failure goes on to Retry/Catch and reaches whoever started the run through
      // the execution's outcome; the command shows error lines only with -v, so a step retried into
      // success prints nothing.
      const described = describe(error);
      ready?.log.error(`Step ${step} failed: ${described.error}.`, { step, ...described });
      throw toStepError(error);
    }
  };
}

/**
 * Reads an issuance state: checked against `issuanceStateSchema` (its defaults applied), with every
 * field the state machine added (`error`, `failedStep`, `cleanupErrors`, `deployDelaySeconds`, ...)
 * kept, since the core functions return `{ ...state, ... }` and the next states read them.
 */
export function parseIssuanceState(step: string, event: unknown): IssuanceState {
  const checked = parseInput(step, issuanceStateSchema, event);
  return { ...(event as Record<string, unknown>), ...checked } as IssuanceState;
}

/**
 * A handler for the steps that take the issuance state and return it updated.
 *
 * @example
 * ```ts
 * export function makeHandler(deps: DepsSource): StepHandler {
 *   return issuanceStepHandler('PublishRecords', publishRecords, deps);
 * }
 * ```
 */
export function issuanceStepHandler(step: string, run: (state: IssuanceState, deps: WorkflowDeps) => Promise<unknown>, source: DepsSource): StepHandler {
  return makeStepHandler(step, (event) => parseIssuanceState(step, event), run, source);
}
