/**
 * The custom metrics the construct alarms on, and the CloudWatch Embedded Metric Format (EMF) line a
 * handler writes to publish them. No CDK import here: a Lambda shell may import this file.
 *
 * Two custom metrics are alarmed on: {@link DAYS_TO_EXPIRY_MIN}, written by PlanRenewals at the end
 * of a **full** sweep (no `lineages` filter, not a dry run), so that "a certificate has less than 14
 * days left" is one alarm on one metric whatever the fleet size (a metric per lineage would cost a
 * custom metric per certificate); and {@link LINEAGES_UNREADABLE}, written by CompleteSweep when
 * lineages could not be read, which the sweep-failed alarm adds to the failed executions (the sweep
 * itself succeeds for the rest of the fleet).
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

/** The served-certificate probe's dimension: the lineage (its endpoints are few, and each is named in the log). */
export const SERVED_METRICS_DIMENSION = 'Lineage';

/** Days left on the certificate a lineage's endpoints serve, the least over its endpoints (`servedStatus`, shared/probe). */
export const DAYS_TO_EXPIRY_SERVED = 'DaysToExpiryServed';

/** A lineage's endpoints that serve an older version past the deploy delay and grace, expire within 14 days, or cannot be read. */
export const ENDPOINT_STALE = 'EndpointStale';

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

/** Lineages a sweep skipped because they could not be read (a damaged conf or object); written only when there are any. */
export const LINEAGES_UNREADABLE = 'LineagesUnreadable';

/**
 * The EMF document CompleteSweep writes when lineages could not be read: one data point per sweep,
 * however many lineages, so the sweep-failed alarm fires once.
 *
 * @example
 * ```ts
 * process.stdout.write(`${JSON.stringify(unreadableMetricsEmf({ bucket: env.ACMEFLOW_BUCKET, unreadable: 2, now: new Date() }))}\n`);
 * ```
 */
export function unreadableMetricsEmf(input: { bucket: string; unreadable: number; now: Date }): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: input.now.getTime(),
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [[METRICS_DIMENSION]], Metrics: [{ Name: LINEAGES_UNREADABLE, Unit: 'Count' }] }],
    },
    [METRICS_DIMENSION]: input.bucket,
    [LINEAGES_UNREADABLE]: input.unreadable,
  };
}

/**
 * Due lineages a sweep's issuances skipped because another run held them (a sweep that met this one,
 * a command) or had renewed them since planning: sweeps that meet are counted here, never as failures.
 * Written by CompleteSweep when there are any (for the dashboard; not alarmed).
 */
export const LINEAGES_SKIPPED = 'LineagesSkipped';

/**
 * The EMF document CompleteSweep writes when due lineages were skipped.
 *
 * @example
 * ```ts
 * process.stdout.write(`${JSON.stringify(skippedMetricsEmf({ bucket: env.ACMEFLOW_BUCKET, skipped: 3, now: new Date() }))}\n`);
 * ```
 */
export function skippedMetricsEmf(input: { bucket: string; skipped: number; now: Date }): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: input.now.getTime(),
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [[METRICS_DIMENSION]], Metrics: [{ Name: LINEAGES_SKIPPED, Unit: 'Count' }] }],
    },
    [METRICS_DIMENSION]: input.bucket,
    [LINEAGES_SKIPPED]: input.skipped,
  };
}

/**
 * The EMF document the served-certificate probe writes per lineage with endpoints: `EndpointStale`
 * always (0 when all is well, so the alarm sees data), `DaysToExpiryServed` when an endpoint was read.
 *
 * @example
 * ```ts
 * process.stdout.write(`${JSON.stringify(servedMetricsEmf({ lineage: 'www.example.jp', endpointsStale: 1, daysToExpiryServed: 9.5, now: new Date() }))}\n`);
 * ```
 */
export function servedMetricsEmf(input: { lineage: string; endpointsStale: number; daysToExpiryServed?: number; now: Date }): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: input.now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[SERVED_METRICS_DIMENSION]],
          Metrics: [{ Name: ENDPOINT_STALE, Unit: 'Count' }, ...(input.daysToExpiryServed === undefined ? [] : [{ Name: DAYS_TO_EXPIRY_SERVED, Unit: 'None' }])],
        },
      ],
    },
    [SERVED_METRICS_DIMENSION]: input.lineage,
    [ENDPOINT_STALE]: input.endpointsStale,
    ...(input.daysToExpiryServed === undefined ? {} : { [DAYS_TO_EXPIRY_SERVED]: input.daysToExpiryServed }),
  };
}
