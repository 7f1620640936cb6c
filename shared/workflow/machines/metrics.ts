/**
 * The custom metrics the construct alarms on, and the CloudWatch Embedded Metric Format (EMF) line a
 * handler writes to publish them. No CDK import here: a Lambda shell may import this file.
 *
 * Only one custom metric exists: {@link DAYS_TO_EXPIRY_MIN}, written by PlanRenewals at the end of a
 * **full** sweep (no `lineages` filter, not a dry run), so that "a certificate has less than 14 days
 * left" is one alarm on one metric whatever the fleet size (a metric per lineage would cost a
 * custom metric per certificate).
 */

/** CloudWatch namespace of acmeflow's custom metrics. */
export const METRICS_NAMESPACE = 'acmeflow';

/** The one dimension: the certificate bucket's name (`ACMEFLOW_BUCKET`), so two issuers in an account never mix. */
export const METRICS_DIMENSION = 'Bucket';

/**
 * Days left on the certificate that expires first, over every lineage with a current, unrevoked
 * certificate (fractional days, `(notAfter - now) / 86400 s`; negative when one has expired).
 * Written only when at least one such lineage exists.
 */
export const DAYS_TO_EXPIRY_MIN = 'DaysToExpiryMin';

/** How many lineages the same full sweep looked at (for dashboards; not alarmed). */
export const LINEAGES_CHECKED = 'LineagesChecked';

/**
 * The EMF document (one JSON line on stdout) that publishes the sweep's expiry metrics.
 *
 * @example
 * ```ts
 * // in the plan-renewals shell, after a full sweep:
 * process.stdout.write(`${JSON.stringify(expiryMetricsEmf({ bucket: env.ACMEFLOW_BUCKET, daysToExpiryMin: 12.5, lineagesChecked: 40, now: new Date() }))}\n`);
 * ```
 */
export function expiryMetricsEmf(input: { bucket: string; daysToExpiryMin: number; lineagesChecked: number; now: Date }): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: input.now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[METRICS_DIMENSION]],
          Metrics: [
            { Name: DAYS_TO_EXPIRY_MIN, Unit: 'None' },
            { Name: LINEAGES_CHECKED, Unit: 'Count' },
          ],
        },
      ],
    },
    [METRICS_DIMENSION]: input.bucket,
    [DAYS_TO_EXPIRY_MIN]: input.daysToExpiryMin,
    [LINEAGES_CHECKED]: input.lineagesChecked,
  };
}
