// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';
import { EVENT_SCHEMAS, validateEvent, type AcmeflowEvent } from '../events.js';
import { InvalidEventError } from './errors.js';
import { assertNoSecrets } from './secret-guard.js';

const pathOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');

/**
 * What every publisher does to an event before delivering it: refuse key material
 * ({@link assertNoSecrets}), then validate the detail against its schema. Returns the event as it
 * will be delivered (schema defaults filled in, unknown fields dropped).
 *
 * Throws {@link InvalidEventError} for an unknown detail-type or a schema violation, and
 * `EventContainsSecretError` for key material; `index` is the event's position in the batch, for
 * the error.
 *
 * @example
 * ```ts
 * const ready = events.map((event, i) => checkEvent(event, i)); // throws before anything is sent
 * ```
 */
export function checkEvent(event: AcmeflowEvent, index = 0): AcmeflowEvent {
  // The type says detailType is known; callers in plain JS or with `as` casts can still get it wrong.
  const detailType: unknown = (event as { detailType?: unknown } | null | undefined)?.detailType;
  if (typeof detailType !== 'string' || !Object.hasOwn(EVENT_SCHEMAS, detailType)) {
    throw new InvalidEventError(String(detailType), index, [
      { path: 'detailType', message: `unknown detail-type; expected one of ${Object.keys(EVENT_SCHEMAS).join(', ')}` },
    ]);
  }
  assertNoSecrets(event, index);
  try {
    return validateEvent(event);
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new InvalidEventError(
        detailType,
        index,
        error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message })),
        { cause: error },
      );
    }
    throw error;
  }
}
