import 'reflect-metadata';
import { issuanceInputSchema, prepareOrder, type IssuanceInput } from '../../shared/workflow/index.js';
import { awsDeps } from '../shared/aws-deps-lazy.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../shared/make-step-handler.js';
import { prepareOrderEventSchema } from '../shared/step-inputs.js';

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

export const handler = makeHandler(awsDeps);
