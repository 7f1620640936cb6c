import { createHash } from 'node:crypto';

/**
 * A deterministic, UUID-shaped Secrets Manager `ClientRequestToken` (which becomes the version id):
 * SHA-256 over the parts, laid out as an RFC 9562 UUIDv8 (version 8 = "custom", variant 10).
 * Secrets Manager wants 32–64 characters; this is always 36. The same parts always give the same
 * token, so a retried step names the same version and Secrets Manager's idempotency applies.
 *
 * Only public data goes in (a lineage name, the token derived from the order URL, a version
 * number): the version id is visible in DescribeSecret and CloudTrail.
 *
 * @example
 * ```ts
 * clientRequestToken('pending', 'example.com', orderToken); // 'c1e5…-…-8…-…'
 * ```
 */
export function clientRequestToken(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
