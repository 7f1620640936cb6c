/**
 * Whether a failed newOrder should be sent again without `replaces`: the CA answered
 * `alreadyReplaced` (RFC 9773 §5, HTTP 409), i.e. the predecessor was already replaced by another
 * order (a concurrent renewal, or one whose result we never stored). The new certificate is still
 * wanted; only the replacement link is refused.
 *
 * Matches by error name, a literal that survives bundling and Step Functions: an
 * `AcmeAlreadyReplacedError` thrown in-process, its `toJSON()` form, or a Step Functions error
 * (`{ Error: 'AcmeAlreadyReplacedError', Cause }`).
 *
 * @example
 * try { order = await newOrder(ctx, account, { identifiers, replaces }); }
 * catch (e) {
 *   if (!withoutReplacesAfterAlreadyReplaced(e)) throw e;
 *   order = await newOrder(ctx, account, { identifiers });
 * }
 */
export function withoutReplacesAfterAlreadyReplaced(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Error: sfnError } = error as { name?: unknown; Error?: unknown };
  return name === 'AcmeAlreadyReplacedError' || sfnError === 'AcmeAlreadyReplacedError';
}
