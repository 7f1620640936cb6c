import type { AslDefinition } from './definitions.js';
import { allStates } from './local-definitions.js';

/**
 * Scaled time for local runs (`waitScale`, e.g. 0.01 in tests; 1 — real time — otherwise).
 *
 * aws-local-stepfunctions lets a run override a Wait state's duration by state name
 * (`waitTimeOverrides: { [state]: ms }`), a static number, while the issuance's Waits read their
 * length from the state (`SecondsPath: '$.poll.waitSeconds'`, `'$.deployDelaySeconds'`), and its
 * `SecondsPath` must be an integer, so the state cannot carry a scaled fraction either. The engine
 * therefore passes, per execution, an overrides object whose entries are **getters**: the runner
 * reads `waitTimeOverrides[state]` when the Wait starts, and the getter answers the Wait's own
 * duration — `Seconds`, or `SecondsPath` read from the output of the Task that ran last in that
 * execution (what reaches the Wait through the Choice states) — times `waitScale`. When the path
 * does not resolve to a number there, the getter answers `undefined` and the Wait runs unscaled.
 *
 * With `waitScale` 1 no override is passed at all: the Waits are Step Functions' own, following
 * the CA's Retry-After exactly as in AWS.
 *
 * Retry pauses are scaled too when `waitScale` ≠ 1: each retrier pauses `IntervalSeconds × waitScale`
 * (aws-local-stepfunctions takes one static pause per retrier, so the backoff does not grow).
 */

/** What the bound Task handlers of one execution last returned. */
export interface LastTaskOutput {
  value: unknown;
}

/** Reads `$`, `$.a`, `$.a.b` ... from a JSON value; anything fancier is `undefined`. */
export function readSimplePath(value: unknown, path: string): unknown {
  if (path === '$') return value;
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_-]*)+$/.test(path)) return undefined;
  let current: unknown = value;
  for (const key of path.slice(2).split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function scaledMs(seconds: number, scale: number): number {
  return Math.max(0, Math.round(seconds * 1000 * scale));
}

/**
 * The `waitTimeOverrides` of one execution, or `undefined` when `scale` is 1 (real waits).
 *
 * @example
 * ```ts
 * const last: LastTaskOutput = { value: undefined };
 * const overrides = scaledWaitOverrides(definition, 0.01, last);
 * last.value = { poll: { waitSeconds: 4 } };
 * overrides?.['Wait for propagation']; // 40
 * ```
 */
export function scaledWaitOverrides(definition: AslDefinition, scale: number, last: LastTaskOutput): Record<string, number> | undefined {
  if (scale === 1) return undefined;
  const overrides: Record<string, number> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Wait') continue;
    Object.defineProperty(overrides, name, {
      enumerable: true,
      get: (): number | undefined => {
        if (typeof state.Seconds === 'number') return scaledMs(state.Seconds, scale);
        if (typeof state.SecondsPath === 'string') {
          const seconds = readSimplePath(last.value, state.SecondsPath);
          return typeof seconds === 'number' && Number.isFinite(seconds) ? scaledMs(seconds, scale) : undefined;
        }
        const timestamp = typeof state.Timestamp === 'string' ? state.Timestamp : typeof state.TimestampPath === 'string' ? readSimplePath(last.value, state.TimestampPath) : undefined;
        const at = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
        return Number.isNaN(at) ? undefined : scaledMs((at - Date.now()) / 1000, scale);
      },
    });
  }
  return overrides;
}

/** The `retryIntervalOverrides` of a definition (ms per retrier), or `undefined` when `scale` is 1. */
export function scaledRetryOverrides(definition: AslDefinition, scale: number): Record<string, number[]> | undefined {
  if (scale === 1) return undefined;
  const overrides: Record<string, number[]> = {};
  for (const [name, state] of allStates(definition)) {
    if (!Array.isArray(state.Retry)) continue;
    overrides[name] = (state.Retry as { IntervalSeconds?: number }[]).map((retrier) => scaledMs(retrier.IntervalSeconds ?? 1, scale));
  }
  return overrides;
}
