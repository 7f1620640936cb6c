import { getOrder } from '../acme/order.js';
import { loadAccount } from './account.js';
import { DEFAULT_LIMITS, type WorkflowDeps, type WorkflowLimits } from './deps.js';
import { AcmeOrderInvalidError, AcmePollTimeoutError } from './errors.js';
import { nextPoll, pollElapsedSeconds } from './poll.js';
import type { IssuanceState } from './state.js';

/**
 * Step 7, in a loop with a Wait state: one poll of the order after finalize (RFC 8555 §7.4):
 * `valid` → done with the certificate URL; `invalid` → `AcmeOrderInvalidError`; `processing` →
 * wait the CA's Retry-After; past the deadline, `AcmePollTimeoutError`.
 */
export async function pollOrder(state: IssuanceState, deps: WorkflowDeps, limits: WorkflowLimits = DEFAULT_LIMITS): Promise<IssuanceState> {
  const now = deps.now();
  if (state.skipped || (state.order.status === 'valid' && state.order.certificate)) {
    return { ...state, poll: nextPoll(state.poll, true, now) };
  }
  const ctx = deps.acme(state.directoryUrl);
  const account = await loadAccount(deps, state.accountId, state.accountUrl);
  const polled = await getOrder(ctx, account, state.order.url);
  const order = polled.resource;
  if (order.status === 'invalid') throw new AcmeOrderInvalidError(order.url, order.error);
  const done = order.status === 'valid' && Boolean(order.certificate);
  const poll = nextPoll(state.poll, done, now, polled.retryAfterSeconds);
  if (!done && pollElapsedSeconds(poll, now) >= limits.orderTimeoutSeconds) {
    throw new AcmePollTimeoutError('order', order.url, limits.orderTimeoutSeconds);
  }
  return { ...state, order: { ...state.order, status: order.status, ...(order.certificate ? { certificate: order.certificate } : {}) }, poll };
}
