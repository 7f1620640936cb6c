import type { PollState } from './state.js';

/** Bounds of a Wait state's length: never busy-loop, never park a workflow for hours. */
export const MIN_WAIT_SECONDS = 1;
export const MAX_WAIT_SECONDS = 60;

/**
 * The poll state after one check. `retryAfterSeconds` (the CA's Retry-After) wins when given;
 * otherwise the wait grows 1, 2, 4 … seconds up to {@link MAX_WAIT_SECONDS}.
 */
export function nextPoll(previous: PollState | undefined, done: boolean, now: Date, retryAfterSeconds?: number): PollState {
  const attempt = (previous?.attempt ?? 0) + 1;
  const backoff = Math.min(MAX_WAIT_SECONDS, 2 ** (attempt - 1));
  const wait = retryAfterSeconds ?? backoff;
  return {
    done,
    waitSeconds: done ? 0 : Math.min(MAX_WAIT_SECONDS, Math.max(MIN_WAIT_SECONDS, Math.round(wait))),
    attempt,
    since: previous?.since ?? now.toISOString(),
  };
}

/**
 * The poll state right after finalize (RFC 8555 §7.4). Without a Retry-After from the CA, the first
 * look at a `processing` order comes at once (a Wait of 0 s): most CAs sign within milliseconds,
 * and a one-second floor here was most of a local issuance's time. The CA's Retry-After still wins,
 * and the looks after the first back off from 1 s as {@link nextPoll} does (attempt 0 here, so the
 * next poll is attempt 1). It costs at most one request more than waiting would.
 */
export function firstOrderPoll(done: boolean, now: Date, retryAfterSeconds?: number): PollState {
  if (done || retryAfterSeconds !== undefined) return nextPoll(undefined, done, now, retryAfterSeconds);
  return { done: false, waitSeconds: 0, attempt: 0, since: now.toISOString() };
}

/** Seconds since the loop started. */
export function pollElapsedSeconds(poll: PollState | undefined, now: Date): number {
  return poll ? (now.getTime() - Date.parse(poll.since)) / 1000 : 0;
}
