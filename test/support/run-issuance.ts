/**
 * Runs the issuance steps in process in the order the state machine runs them, with its Choice,
 * Wait and Catch semantics, for tests of the lifecycle core: every wait is a (shortened) sleep
 * between steps, failures go through cleanup and the failed event, and a simulated crash stops
 * the run dead between two steps — no cleanup, like a killed process.
 */
import {
  checkPropagation,
  cleanupRecords,
  emitDeployable,
  emitIssued,
  finalizeOrder,
  pollAuthorizations,
  pollOrder,
  prepareOrder,
  publishRecords,
  recordFailure,
  respondChallenges,
  storeCertificate,
  type IssuanceInput,
  type IssuanceState,
  type WorkflowDeps,
  type WorkflowLimits,
} from '../../shared/workflow/index.js';
import { ISSUANCE_TASKS, issuanceDefinition, type LambdaStep } from '../../shared/workflow/machines/index.js';

/** A state of the issuance state machine on the way to a certificate. */
export interface IssuanceStateOnPath {
  readonly name: string;
  readonly type: 'Task' | 'Wait';
  /** A poll loop's Wait (entered from a Choice, back to the poll step), as opposed to a Wait of its own (the deploy delay). */
  readonly pollWait: boolean;
}

/**
 * The Task and Wait states of the issuance state machine (shared/workflow/machines/issuance.ts) that a
 * run reaches from StartAt without a Catch (the failure path), in the order a run first enters them:
 * a Choice's Default (the poll loop: Wait, then the poll step) before its ready branch.
 */
export function issuancePath(definition: Record<string, unknown> = issuanceDefinition((step) => `arn:aws:lambda:::function:${step}`)): IssuanceStateOnPath[] {
  type State = { Type: string; Next?: string; Default?: string; Choices?: { Next: string }[] };
  const states = definition.States as Record<string, State>;
  const seen = new Set<string>();
  const path: IssuanceStateOnPath[] = [];
  const visit = (name: string | undefined, fromChoice: boolean): void => {
    if (name === undefined || seen.has(name)) return;
    seen.add(name);
    const state = states[name];
    if (!state) throw new Error(`the issuance definition names a state "${name}" it does not define`);
    if (state.Type === 'Task' || state.Type === 'Wait') path.push({ name, type: state.Type, pollWait: state.Type === 'Wait' && fromChoice });
    if (state.Type === 'Choice') {
      // A poll loop's Choice waits by default; a Wait behind one of its choices (the deploy delay's) is a Wait of its own.
      visit(state.Default, true);
      for (const choice of state.Choices ?? []) visit(choice.Next, false);
    } else visit(state.Next, false);
  };
  visit(definition.StartAt as string, false);
  return path;
}

/** The Lambda Task states on the way to a certificate, in order; each is named after its Lambda step (the follow-up's startExecution is none). */
export const STEP_NAMES: readonly StepName[] = issuancePath()
  .filter((s) => s.type === 'Task' && s.name in ISSUANCE_TASKS)
  .map((s) => {
    if (ISSUANCE_TASKS[s.name] !== s.name) throw new Error(`the issuance Task "${s.name}" runs the step ${ISSUANCE_TASKS[s.name]}; runIssuance knows steps by their state names`);
    return s.name as StepName;
  });
export type StepName = LambdaStep;

/**
 * Thrown to simulate a killed process right after a step did its work and before its result was
 * saved: it bypasses the failure path. `input` is what that step was given — the state a
 * Step Functions retry of the step starts from.
 */
export class SimulatedCrash extends Error {
  constructor(readonly step: StepName, readonly input: IssuanceState | undefined) {
    super(`simulated crash after ${step}`);
    this.name = 'SimulatedCrash';
  }
}

export interface RunOptions {
  readonly limits?: WorkflowLimits;
  /** Crash right after this step completed (its result is lost, as with a killed process). */
  readonly crashAfter?: StepName;
  /** Multiplier for Wait states (0.05 → a 2 s wait sleeps 100 ms). @default 0.05 */
  readonly waitScale?: number;
  /** Steps run, in order, for assertions. */
  readonly trace?: StepName[];
  /** Resume at a step with that step's input (a Step Functions retry of the crashed step). */
  readonly resume?: { readonly at: StepName; readonly state: IssuanceState | undefined };
}

export interface RunResult {
  readonly state: IssuanceState;
  readonly failed?: { name: string; message: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runIssuance(input: IssuanceInput, deps: WorkflowDeps, options: RunOptions = {}): Promise<RunResult> {
  const scale = options.waitScale ?? 0.05;
  const wait = (seconds: number) => sleep(seconds * 1000 * scale);
  const start = options.resume ? STEP_NAMES.indexOf(options.resume.at) : 0;
  let state = options.resume?.state as IssuanceState;
  let current: StepName = 'PrepareOrder';

  const step = async (name: StepName, fn: () => Promise<IssuanceState>) => {
    if (STEP_NAMES.indexOf(name) < start) return;
    current = name;
    options.trace?.push(name);
    const input = state;
    state = await fn();
    if (options.crashAfter === name) throw new SimulatedCrash(name, input);
  };
  const loop = async (name: StepName, fn: () => Promise<IssuanceState>) => {
    if (STEP_NAMES.indexOf(name) < start) return;
    for (;;) {
      await step(name, fn);
      if (state.poll?.done !== false) return;
      await wait(state.poll.waitSeconds);
    }
  };

  try {
    await step('PrepareOrder', () => prepareOrder(input, deps, options.limits));
    if (!state.skipped) {
      await step('PublishRecords', () => publishRecords(state, deps));
      await loop('CheckPropagation', () => checkPropagation(state, deps, options.limits));
      await step('RespondChallenges', () => respondChallenges(state, deps));
      await loop('PollAuthorizations', () => pollAuthorizations(state, deps, options.limits));
      await step('FinalizeOrder', () => finalizeOrder(state, deps));
      await loop('PollOrder', () => pollOrder(state, deps, options.limits));
      await step('StoreCertificate', () => storeCertificate(state, deps));
    }
  } catch (err) {
    if (err instanceof SimulatedCrash) throw err;
    // Catch → CleanupRecords → failed event → Fail, from the failing step's input.
    const failedState = state ?? ({ lineage: input.lineage, dryRun: input.dryRun ?? false } as IssuanceState);
    if (state) await cleanupRecords(state, deps);
    const outcome = await recordFailure({ state: failedState, error: err as Error, step: current }, deps);
    return { state: failedState, failed: outcome.error };
  }
  await step('CleanupRecords', () => cleanupRecords(state, deps));
  let deployDelay = 0;
  await step('EmitIssued', async () => {
    const out = await emitIssued(state, deps);
    deployDelay = out.deployDelaySeconds;
    return out;
  });
  await wait(deployDelay);
  await step('EmitDeployable', () => emitDeployable(state, deps));
  return { state };
}
