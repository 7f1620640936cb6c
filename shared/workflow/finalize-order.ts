import { finalizeOrder as acmeFinalizeOrder } from '../acme/order.js';
import { createCsr } from '../crypto/create-csr.js';
import { generateCertificateKey } from '../crypto/generate-certificate-key.js';
import { loadAccount } from './account.js';
import type { WorkflowDeps } from './deps.js';
import { AcmeOrderInvalidError } from './errors.js';
import { firstOrderPoll, nextPoll } from './poll.js';
import { requireLineage } from './require-lineage.js';
import type { IssuanceState } from './state.js';

/**
 * Step 6: the certificate key is made here and goes straight into the key store as a pending
 * version (never into state); then the CSR (all names in SAN, RFC 8555 §7.4) finalizes the order.
 * A retry finds the same pending key by the order's token, so the CSR the CA may already have
 * seen matches. With `reuseKey`, the lineage's current key is used again.
 */
export async function finalizeOrder(state: IssuanceState, deps: WorkflowDeps): Promise<IssuanceState> {
  const now = deps.now();
  if (state.skipped) return { ...state, poll: nextPoll(undefined, true, now) };
  const { spec } = await requireLineage(state.lineage, deps);
  let privateKeyPem = await deps.keys.getPendingCertificateKey(state.lineage, state.keyToken);
  if (!privateKeyPem) {
    const current = spec.reuseKey ? await deps.keys.getCurrentCertificateKey(state.lineage) : undefined;
    const fresh =
      current ??
      (deps.generateCertificateKey ? await deps.generateCertificateKey(spec.keyType, state.lineage) : (await generateCertificateKey(spec.keyType)).privateKeyPem);
    privateKeyPem = await deps.keys.putPendingCertificateKey(state.lineage, state.keyToken, fresh);
  }
  const csr = await createCsr({ privateKeyPem, domains: [...spec.domains] });
  const ctx = deps.acme(state.directoryUrl);
  const account = await loadAccount(deps, state.accountId, state.accountUrl);
  const finalized = await acmeFinalizeOrder(ctx, account, state.order, csr.der);
  const order = finalized.resource;
  if (order.status === 'invalid') throw new AcmeOrderInvalidError(order.url, order.error);
  return {
    ...state,
    order: { ...state.order, status: order.status, ...(order.certificate ? { certificate: order.certificate } : {}) },
    poll: firstOrderPoll(order.status === 'valid', now, finalized.retryAfterSeconds),
  };
}
