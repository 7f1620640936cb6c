import type * as z from 'zod';
import { ConfigError } from './errors.js';

/**
 * Turns a zod error into the {@link ConfigError} every acmeflow schema throws: the first issue, its
 * path written as people write it (`certificates[0].renewBeforeExpiry`, `caAccounts.jprs.preset`),
 * then zod's or the schema's message.
 *
 * @example
 * ```ts
 * const parsed = schema.safeParse(input);
 * if (!parsed.success) throw configErrorFrom(parsed.error, 'config');
 * ```
 */
export function configErrorFrom(error: z.ZodError, subject: string): ConfigError {
  const issue = error.issues[0];
  const field = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') ?? '';
  return new ConfigError(`${field || subject}: ${issue?.message ?? 'invalid'}`, { field });
}
