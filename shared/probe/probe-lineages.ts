import type { Endpoint } from '../config/endpoint.js';
import { endpointLabel } from '../config/endpoint.js';
import type { CertificateStore } from '../store/index.js';
import { servedStatus, type ServedCertificate, type ServedStatus } from './served-status.js';

/** One lineage's endpoints as the probe found them. */
export interface LineageProbe {
  readonly lineage: string;
  readonly endpoints: readonly ({ readonly endpoint: string } & ServedStatus)[];
  /** The least days left over what its endpoints serve (absent when none could be read). */
  readonly daysToExpiryServed?: number;
  /** Endpoints alarmed: stale, expiring within 14 days, or unreachable. */
  readonly endpointsStale: number;
}

/** What the probe is run with: the lineages, how an endpoint is read, and the clock. */
export interface ProbeLineagesDeps {
  readonly store: Pick<CertificateStore, 'listLineages' | 'getLineage'>;
  readonly fetchServed: (endpoint: Endpoint) => Promise<ServedCertificate>;
  readonly now: () => Date;
}

/** Endpoints read at once: a handshake is cheap, a stuck one waits for its timeout. */
const CONCURRENCY = 16;

/**
 * The served-certificate probe over every lineage that lists endpoints: reads what each endpoint
 * presents and compares it with the lineage's current version ({@link servedStatus}). What the probe
 * function of the sweep schedule publishes (`DaysToExpiryServed`, `EndpointStale` per lineage) and
 * what `acmeflow certificates` shows come from the same comparison.
 *
 * @example
 * ```ts
 * const probes = await probeLineages({ store, fetchServed: fetchServedCertificate, now: () => new Date() });
 * // [{ lineage: 'www.example.jp', endpoints: [{ endpoint: 'www.example.jp:443', state: 'stale', … }], endpointsStale: 1, daysToExpiryServed: 9.5 }]
 * ```
 */
export async function probeLineages(deps: ProbeLineagesDeps): Promise<LineageProbe[]> {
  const work: { lineage: string; endpoint: Endpoint; run: () => Promise<{ readonly endpoint: string } & ServedStatus> }[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listLineages({ limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const name of page.names) {
      const stored = await deps.store.getLineage(name).catch(() => undefined);
      const lineage = stored?.lineage;
      if (!lineage?.spec.endpoints || !lineage.state.current) continue;
      for (const endpoint of lineage.spec.endpoints) {
        work.push({
          lineage: name,
          endpoint,
          run: async () => {
            const served = await deps.fetchServed(endpoint);
            return { endpoint: endpointLabel(endpoint), ...servedStatus({ served, state: lineage.state, deployDelaySeconds: lineage.spec.deployDelaySeconds, now: deps.now() }) };
          },
        });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  const results = new Array<{ readonly endpoint: string } & ServedStatus>(work.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, work.length) }, async () => {
      while (next < work.length) {
        const index = next++;
        results[index] = await (work[index] as (typeof work)[number]).run();
      }
    }),
  );
  const byLineage = new Map<string, ({ readonly endpoint: string } & ServedStatus)[]>();
  for (const [i, w] of work.entries()) byLineage.set(w.lineage, [...(byLineage.get(w.lineage) ?? []), results[i] as { readonly endpoint: string } & ServedStatus]);
  return [...byLineage].map(([lineage, endpoints]) => {
    const days = endpoints.flatMap((e) => (e.daysToExpiry === undefined ? [] : [e.daysToExpiry]));
    return { lineage, endpoints, endpointsStale: endpoints.filter((e) => e.alarm).length, ...(days.length > 0 ? { daysToExpiryServed: Math.min(...days) } : {}) };
  });
}
