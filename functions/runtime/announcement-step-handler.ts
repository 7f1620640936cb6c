import * as z from 'zod';
import type { AnnouncingState } from '../../shared/workflow/emit-events.js';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { makeStepHandler, parseInput, parseIssuanceState, type DepsSource, type StepHandler } from './make-step-handler.js';

/** An announce-only execution's input as it reaches EmitIssued (the sweep's plan item, or the follow-up's `{ lineage, announceOnly }`). */
const announceOnlySchema = z.object({ lineage: z.string().min(1), announceOnly: z.literal(true), dryRun: z.boolean().default(false) }).passthrough();

/**
 * A handler for EmitIssued and EmitDeployable: they take the issuance state, or the input of an
 * announce-only execution (which starts at EmitIssued), checked against its own schema; extra fields
 * the state machine added are kept.
 *
 * @example
 * ```ts
 * export const makeHandler = (deps: DepsSource) => announcementStepHandler('EmitIssued', emitIssued, deps);
 * ```
 */
export function announcementStepHandler(step: string, run: (state: AnnouncingState, deps: WorkflowDeps) => Promise<unknown>, source: DepsSource): StepHandler {
  const parse = (event: unknown): AnnouncingState => {
    if ((event as { announceOnly?: unknown } | null)?.announceOnly === true) return parseInput(step, announceOnlySchema, event) as AnnouncingState;
    return parseIssuanceState(step, event);
  };
  return makeStepHandler(step, parse, run, source);
}
