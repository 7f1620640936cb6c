import { AcmeUnauthorizedError } from '../acme/errors.js';
import { importAccountKey } from '../acme/jws.js';
import { revokeCertificate as acmeRevoke } from '../acme/revocation.js';
import type { RevocationReason } from '../acme/types.js';
import { parseCertificate } from '../crypto/parse-certificate.js';
import { pemToDer } from '../crypto/pem-to-der.js';
import { CertbotAccountNotFoundError } from '../store/errors.js';
import { accountIdFor } from './account.js';
import type { WorkflowDeps } from './deps.js';
import { requireLineage } from './require-lineage.js';

export interface RevokeInput {
  readonly lineage: string;
  /** RFC 5280 reason, RFC 8555 §7.6. @default 'unspecified' */
  readonly reason?: RevocationReason;
  /** A certificate file's PEM instead of the lineage's live one (certbot's --cert-path). */
  readonly certificatePem?: string;
}

/**
 * Revokes a lineage's certificate (RFC 8555 §7.6): signed with the account key, falling back to
 * the certificate's own key when the account is not authorized for it (another account ordered it,
 * or the account key is lost). Marks the lineage revoked (so the next sweep renews it) and emits
 * `Certificate Revoked`.
 */
export async function revokeCertificate(input: RevokeInput, deps: WorkflowDeps): Promise<{ lineage: string; serialHex: string; reason: RevocationReason }> {
  const lineage = await requireLineage(input.lineage, deps);
  const pem = input.certificatePem ?? (await deps.store.getLive(input.lineage))?.certPem;
  if (!pem) throw new Error(`The lineage "${input.lineage}" has no certificate to revoke.`);
  const info = parseCertificate(pem);
  const reason = input.reason ?? 'unspecified';
  const directoryUrl = lineage.spec.ca.directoryUrl;
  const ctx = deps.acme(directoryUrl);
  // The lineage's own account (certbot's, when its conf names one); without it, the certificate key revokes.
  const accountKey = await deps.keys.getAccountKey(accountIdFor(directoryUrl, lineage.spec.ca.certbotAccount)).catch((err: unknown) => {
    if (err instanceof CertbotAccountNotFoundError) return undefined;
    throw err;
  });
  const der = pemToDer(pem);
  let revokedBy: 'account' | 'certificate key';
  try {
    if (!accountKey?.accountUrl) throw new AcmeUnauthorizedError({ type: 'urn:ietf:params:acme:error:unauthorized', detail: 'no account key stored' });
    await acmeRevoke(ctx, { account: { url: accountKey.accountUrl, key: importAccountKey(accountKey.privateKeyPem) } }, der, reason);
    revokedBy = 'account';
  } catch (err) {
    if (!(err instanceof AcmeUnauthorizedError)) throw err;
    const certKey = await deps.keys.getCurrentCertificateKey(input.lineage);
    if (!certKey) throw err;
    await acmeRevoke(ctx, { certificateKey: importAccountKey(certKey) }, der, reason);
    revokedBy = 'certificate key';
  }
  const revokedAt = deps.now().toISOString();
  const stored = await deps.store.getLineage(input.lineage);
  if (stored && stored.lineage.state.current?.serialHex === info.serialHex) {
    await deps.store.putLineage(
      { spec: stored.lineage.spec, state: { ...stored.lineage.state, revoked: { at: revokedAt, reason, serialHex: info.serialHex } } },
      { expectedEtag: stored.etag },
    );
  }
  await deps.events.publish([{ detailType: 'Certificate Revoked', detail: { lineage: input.lineage, serialHex: info.serialHex, reason, revokedAt } }]);
  deps.log.info('Congratulations! You have successfully revoked the certificate', { lineage: input.lineage, serialHex: info.serialHex, reason, revokedBy });
  return { lineage: input.lineage, serialHex: info.serialHex, reason };
}
