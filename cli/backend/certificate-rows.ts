import { endpointLabel, type Endpoint } from '../../shared/config/endpoint.js';
import { servedStatus, type ServedCertificate } from '../../shared/probe/served-status.js';
import { decideRenewal } from '../../shared/renewal/decide-renewal.js';
import type { CertificateStore, Lineage } from '../../shared/store/index.js';
import { mapLimit } from '../cloud/map-limit.js';
import type { CertificateRow, ServedEndpoint } from './backend.js';

/** Where listed lineages are read from, and how their files are named there. */
export interface CertificateSource {
  readonly store: Pick<CertificateStore, 'getLineage'>;
  readonly names: readonly string[];
  certificatePath(name: string): string;
  privateKeyPath(name: string): string;
  /** Lineages read at once. */
  readonly concurrency: number;
  /** Reads what an endpoint serves (a TLS handshake); without it, endpoints are not probed. */
  readonly probe?: (endpoint: Endpoint) => Promise<ServedCertificate>;
}

/**
 * One row per lineage: its names, key, current certificate and status, or the error reading it.
 * A name whose lineage is gone meanwhile has no row.
 *
 * @example
 * ```ts
 * const rows = await certificateRows({ store, names: ['example.com'], certificatePath: (n) => `/etc/acmeflow/live/${n}/fullchain.pem`, privateKeyPath: (n) => `/etc/acmeflow/live/${n}/privkey.pem`, concurrency: 1 });
 * ```
 */
export async function certificateRows(source: CertificateSource, now = Date.now()): Promise<CertificateRow[]> {
  const rows = await mapLimit(source.names, source.concurrency, async (name): Promise<CertificateRow | undefined> => {
    try {
      const stored = await source.store.getLineage(name);
      if (!stored) return undefined;
      const { spec, state } = stored.lineage;
      const current = state.current;
      const daysLeft = current ? Math.floor((Date.parse(current.notAfter) - now) / 86_400_000) : undefined;
      const status = !current ? 'NOT ISSUED' : state.revoked?.serialHex === current.serialHex ? 'REVOKED' : daysLeft! < 0 ? 'EXPIRED' : 'VALID';
      // The renewal policy's own answer, from what is stored (the ARI moment chosen earlier included).
      const decision = current && status === 'VALID' ? decideRenewal({ spec, state, now: new Date(now), random: () => 0.5 }) : undefined;
      return {
        name,
        domains: [...spec.domains],
        keyType: spec.keyType,
        server: spec.ca.directoryUrl,
        serialHex: current?.serialHex,
        notAfter: current?.notAfter,
        daysLeft,
        status,
        version: state.currentVersion,
        certificatePath: source.certificatePath(name),
        privateKeyPath: source.privateKeyPath(name),
        ...(state.failures ? { failures: state.failures.count, retryNotBefore: state.failures.retryNotBefore } : {}),
        ...(source.probe && spec.endpoints ? { served: await servedRows(stored.lineage, source.probe, now) } : {}),
        ...(decision
          ? { renewalDue: decision.due || decision.reason === 'backoff', ...(decision.renewAt && decision.reason === 'not-due' ? { renewAt: decision.renewAt } : {}) }
          : {}),
        ...(spec.ca.requiredProfile ? { profile: spec.ca.requiredProfile, profileRequired: true } : spec.ca.profile ? { profile: spec.ca.profile, profileRequired: false } : {}),
      };
    } catch (err) {
      return { name, error: (err as Error).message };
    }
  });
  return rows.filter((row) => row !== undefined);
}

/** What each of the lineage's endpoints serves, compared with its current version. */
async function servedRows(lineage: Lineage, probe: (endpoint: Endpoint) => Promise<ServedCertificate>, now: number): Promise<ServedEndpoint[]> {
  const { spec, state } = lineage;
  return Promise.all(
    (spec.endpoints ?? []).map(async (endpoint): Promise<ServedEndpoint> => {
      const served = await probe(endpoint);
      const status = servedStatus({ served, state, deployDelaySeconds: spec.deployDelaySeconds, now: new Date(now) });
      return {
        endpoint: endpointLabel(endpoint),
        state: status.state,
        expiring: status.expiring,
        ...('error' in served ? { error: served.error } : { serialHex: served.serialHex, notAfter: served.notAfter }),
        ...(status.daysToExpiry === undefined ? {} : { daysToExpiry: status.daysToExpiry }),
      };
    }),
  );
}
