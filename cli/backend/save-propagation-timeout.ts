import { LineageConflictError, type CertificateStore } from '../../shared/store/index.js';

/** Read-modify-write attempts per lineage when another run writes it at the same moment. */
const ATTEMPTS = 3;

/**
 * Saves `renew --dns-propagation-timeout` into the lineages the run renewed, as certbot saves a
 * renewal's plugin flags (`dns_<plugin>_propagation_seconds`) into the renewal conf it renewed:
 * the next renew waits as long without the flag. Each write keeps the lineage's state (etag checked).
 *
 * @example
 * ```ts
 * await savePropagationTimeout(store, ['example.com'], 1200); // renewal/example.com.conf: dns_propagation_timeout_seconds = 1200
 * ```
 */
export async function savePropagationTimeout(store: CertificateStore, lineages: readonly string[], seconds: number): Promise<void> {
  for (const name of lineages) {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const stored = await store.getLineage(name);
      if (!stored || stored.lineage.spec.dns.propagationTimeoutSeconds === seconds) break;
      const { spec, state } = stored.lineage;
      try {
        await store.putLineage({ spec: { ...spec, dns: { ...spec.dns, propagationTimeoutSeconds: seconds } }, state }, { expectedEtag: stored.etag });
        break;
      } catch (error) {
        if (!(error instanceof LineageConflictError) || attempt === ATTEMPTS) throw error;
      }
    }
  }
}
