import * as checkPropagation from '../functions/check-propagation/handler.js';
import * as cleanupRecords from '../functions/cleanup-records/handler.js';
import * as completeSweep from '../functions/complete-sweep/handler.js';
import * as emitDeployable from '../functions/emit-deployable/handler.js';
import * as emitIssued from '../functions/emit-issued/handler.js';
import * as finalizeOrder from '../functions/finalize-order/handler.js';
import * as planRenewals from '../functions/plan-renewals/handler.js';
import * as pollAuthorizations from '../functions/poll-authorizations/handler.js';
import * as pollOrder from '../functions/poll-order/handler.js';
import * as prepareOrder from '../functions/prepare-order/handler.js';
import * as publishRecords from '../functions/publish-records/handler.js';
import * as recordFailure from '../functions/record-failure/handler.js';
import * as respondChallenges from '../functions/respond-challenges/handler.js';
import * as revokeCertificate from '../functions/revoke-certificate/handler.js';
import * as storeCertificate from '../functions/store-certificate/handler.js';
import type { DepsSource, StepHandler } from '../functions/runtime/make-step-handler.js';
import { LAMBDA_STEPS, type HandlerFolder, type LambdaStep } from '../shared/workflow/machines/index.js';
import type { TaskHandler } from './execution.js';

/**
 * The Lambda handler modules (`functions/<folder>/handler.ts`), by folder. The engine binds each
 * Task state to `makeHandler(localDeps)` of its step's module: the same shell code (input parsing,
 * `toStepError`) that runs in Lambda, over the local adapters.
 */

/** What the engine needs of a handler module. */
export interface HandlerModule {
  makeHandler(deps: DepsSource): StepHandler;
}

export const HANDLER_MODULES: Readonly<Record<HandlerFolder, HandlerModule>> = {
  'prepare-order': prepareOrder,
  'publish-records': publishRecords,
  'check-propagation': checkPropagation,
  'respond-challenges': respondChallenges,
  'poll-authorizations': pollAuthorizations,
  'finalize-order': finalizeOrder,
  'poll-order': pollOrder,
  'store-certificate': storeCertificate,
  'cleanup-records': cleanupRecords,
  'emit-issued': emitIssued,
  'emit-deployable': emitDeployable,
  'record-failure': recordFailure,
  'plan-renewals': planRenewals,
  'complete-sweep': completeSweep,
  'revoke-certificate': revokeCertificate,
};

/** A handler per Lambda step, from the handler modules' `makeHandler` over the given deps. */
export type StepHandlers = Partial<Record<LambdaStep, TaskHandler>>;

/**
 * `makeHandler(deps)` of every step's module. A module without `makeHandler` leaves its step out,
 * so its Task states stay unbound and the run stops with `UnboundTaskError` before it starts.
 *
 * @example
 * ```ts
 * const handlers = stepHandlersFor(localWorkflowDeps(...));      // the local engine
 * const handlers = stepHandlersFor(() => awsDepsFromEnv(env, { clientConfig })); // AWS adapters on fakes
 * ```
 */
export function stepHandlersFor(deps: DepsSource, modules: Readonly<Partial<Record<HandlerFolder, Partial<HandlerModule>>>> = HANDLER_MODULES): StepHandlers {
  const handlers: StepHandlers = {};
  for (const [step, folder] of Object.entries(LAMBDA_STEPS) as [LambdaStep, HandlerFolder][]) {
    const make = modules[folder]?.makeHandler;
    if (typeof make !== 'function') continue;
    const handler = make(deps);
    handlers[step] = (input) => handler(input);
  }
  return handlers;
}
