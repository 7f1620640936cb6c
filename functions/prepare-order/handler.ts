import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { prepareOrder } from '../../shared/workflow/prepare-order.js';
import { issuanceInputSchema, type IssuanceInput } from '../../shared/workflow/state.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../runtime/make-step-handler.js';
import { prepareOrderEventSchema } from '../runtime/step-inputs.js';

const STEP = 'PrepareOrder';

/** `{ input, owner }` → the issuance input; the execution's name (owner of the lineage lock) wins over one in the input. */
function parsePrepareOrderEvent(event: unknown): IssuanceInput {
  const { input, owner } = parseInput(STEP, prepareOrderEventSchema, event);
  const merged = { ...input, ...(owner ? { owner } : {}) };
  parseInput(STEP, issuanceInputSchema, merged);
  return merged as IssuanceInput;
}

/**
 * PrepareOrder: lock the lineage, ensure the account, create the order and compute the TXT records.
 * Input `{ input: <execution input>, owner: <execution name> }`; returns the new issuance state.
 */
export function makeHandler(deps: DepsSource): StepHandler {
  return makeStepHandler(STEP, parsePrepareOrderEvent, (input, ready) => prepareOrder(input, ready), deps);
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
