/**
 * What an execution log (`LocalEngine.executionLog`, or `LocalStateMachines`' `onEvent`) says about
 * cost and time: state transitions as Step Functions Standard bills them, each Lambda invocation
 * with its duration and configured memory, and the time spent in Wait states.
 */
import type { ExecutionLogEntry } from '../../engine/index.js';
import { DEFAULT_MEMORY_MB, STEP_MEMORY_MB } from '../../infra/lambda/function-sizing.js';
import { ISSUANCE_TASKS, SWEEP_TASKS, type LambdaStep } from '../../shared/workflow/machines/index.js';

/** Task states bound to a Lambda function, by state name (the sweep's RenewDue is a Map in AWS, not a Lambda). */
const LAMBDA_TASKS: Readonly<Record<string, LambdaStep>> = { ...ISSUANCE_TASKS, ...SWEEP_TASKS };

export interface LambdaInvocation {
  readonly state: string;
  readonly step: LambdaStep;
  readonly ms: number;
  /** The function's configured memory (infra/lambda/function-sizing.ts). */
  readonly memoryMb: number;
}

export interface ExecutionSummary {
  /** Step Functions Standard bills one transition per state entered, retries included. */
  readonly transitions: number;
  readonly invocations: readonly LambdaInvocation[];
  /** Milliseconds spent in Wait states. */
  readonly waitMs: number;
  /** Milliseconds from the first to the last event. */
  readonly spanMs: number;
  /** Milliseconds per state name, summed (Task, Wait, Choice, ...). */
  readonly msByState: Readonly<Record<string, number>>;
}

/**
 * Summarizes the entries of the executions whose name passes `include` (all by default). States of
 * one execution run one after another, so each StateEntered pairs with the next StateExited or
 * StateFailed of the same execution.
 */
export function summarizeExecutions(log: readonly unknown[], include: (execution: string) => boolean = () => true): ExecutionSummary {
  const entries = (log as ExecutionLogEntry[]).filter((e) => include(e.execution));
  const open = new Map<string, { name: string; type: string; at: number }>();
  const invocations: LambdaInvocation[] = [];
  const msByState: Record<string, number> = {};
  let transitions = 0;
  let waitMs = 0;
  for (const entry of entries) {
    if (entry.type === 'StateEntered' || entry.type === 'StateRetried') transitions += 1;
    if (!entry.state) continue;
    if (entry.type === 'StateEntered') {
      open.set(entry.execution, { name: entry.state.name, type: entry.state.type, at: entry.timestamp });
      continue;
    }
    if (entry.type !== 'StateExited' && entry.type !== 'StateFailed') continue;
    const started = open.get(entry.execution);
    if (!started || started.name !== entry.state.name) continue;
    open.delete(entry.execution);
    const ms = entry.timestamp - started.at;
    msByState[started.name] = (msByState[started.name] ?? 0) + ms;
    if (started.type === 'Wait') waitMs += ms;
    const step = started.type === 'Task' ? LAMBDA_TASKS[started.name] : undefined;
    if (step) invocations.push({ state: started.name, step, ms, memoryMb: STEP_MEMORY_MB[step] ?? DEFAULT_MEMORY_MB });
  }
  const times = entries.map((e) => e.timestamp);
  return { transitions, invocations, waitMs, spanMs: times.length > 0 ? Math.max(...times) - Math.min(...times) : 0, msByState };
}
