import 'reflect-metadata';
import type { ProbeLineagesDeps } from '../../shared/probe/probe-lineages.js';
import { probeLineages } from '../../shared/probe/probe-lineages.js';
import { servedMetricsEmf } from '../../shared/workflow/machines/metrics.js';

/**
 * The served-certificate probe, on the sweep's schedule (not a workflow step): connects to every
 * endpoint the lineages list and compares what it presents with the lineage's current version
 * (`probeLineages`, shared/probe). Writes `EndpointStale` and `DaysToExpiryServed` per lineage as EMF
 * lines on stdout (CloudWatch turns them into metrics; the construct alarms on them) and returns the
 * per-lineage results. Public data only: serials, dates and host names.
 */
export interface ProbeEndpointsDeps extends ProbeLineagesDeps {
  /** Where each EMF line goes. @default stdout */
  readonly write?: (line: string) => void;
}

/**
 * @example
 * ```ts
 * const probe = makeHandler(async () => ({ store, fetchServed: fetchServedCertificate, now: () => new Date() }));
 * await probe(); // { lineages: 2, endpointsStale: 1, probes: [...] }
 * ```
 */
export function makeHandler(depsSource: () => Promise<ProbeEndpointsDeps>) {
  let cached: Promise<ProbeEndpointsDeps> | undefined;
  return async (): Promise<{ lineages: number; endpointsStale: number; probes: Awaited<ReturnType<typeof probeLineages>> }> => {
    cached ??= depsSource().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    const deps = await cached;
    const probes = await probeLineages(deps);
    const write = deps.write ?? ((line: string) => process.stdout.write(line));
    const now = deps.now();
    for (const p of probes) {
      write(
        `${JSON.stringify(servedMetricsEmf({ lineage: p.lineage, endpointsStale: p.endpointsStale, ...(p.daysToExpiryServed === undefined ? {} : { daysToExpiryServed: p.daysToExpiryServed }), now }))}\n`,
      );
    }
    return { lineages: probes.length, endpointsStale: probes.reduce((n, p) => n + p.endpointsStale, 0), probes };
  };
}

/** The deps in Lambda: the certificate bucket (read) from the environment, TLS from the function. */
async function awsDeps(): Promise<ProbeEndpointsDeps> {
  const [{ S3CertificateStore }, { fetchServedCertificate }] = await Promise.all([
    import('../../shared/store/s3/s3-certificate-store.js'),
    import('../../shared/probe/fetch-served-certificate.js'),
  ]);
  const bucket = process.env.ACMEFLOW_BUCKET;
  if (!bucket) throw new TypeError('ACMEFLOW_BUCKET is not set: the probe reads the lineages from the certificate bucket.');
  return { store: new S3CertificateStore({ bucket }), fetchServed: (endpoint) => fetchServedCertificate(endpoint), now: () => new Date() };
}

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(awsDeps);
