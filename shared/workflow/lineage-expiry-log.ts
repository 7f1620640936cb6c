/**
 * One small log line per lineage per full sweep, so the stored days to expiry can be shown per
 * lineage (the dashboard's Logs Insights widget over the planning function's log group) without a
 * custom metric per lineage: 10,000 lineages would be 10,000 metrics at $0.30 a month each, where
 * these lines cost a few cents of log ingestion. Only public facts: the name and the expiry.
 */

/** The message of the line; the dashboard's query filters on it. */
export const LINEAGE_EXPIRY_MESSAGE = 'Lineage expiry';

/** The fields of the line, as the dashboard's query reads them. */
export interface LineageExpiryFields {
  readonly lineage: string;
  /** The stored current certificate's notAfter (RFC 5280 §4.1.2.5), ISO 8601. */
  readonly notAfter: string;
  /** Days from `now` to `notAfter`, two decimals; negative once expired. */
  readonly daysLeft: number;
}

/**
 * The fields of one lineage's expiry line; undefined when `notAfter` is not a date.
 *
 * @example
 * lineageExpiryFields('example.jp', '2026-03-31T00:00:00Z', new Date('2026-03-01T00:00:00Z'))
 * // → { lineage: 'example.jp', notAfter: '2026-03-31T00:00:00Z', daysLeft: 30 }
 */
export function lineageExpiryFields(lineage: string, notAfter: string, now: Date): LineageExpiryFields | undefined {
  const at = Date.parse(notAfter);
  if (Number.isNaN(at)) return undefined;
  return { lineage, notAfter, daysLeft: Math.round(((at - now.getTime()) / 86_400_000) * 100) / 100 };
}
