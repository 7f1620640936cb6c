import type { Account } from './account.js';
import type { AcmeContext } from './context.js';
import { AcmeClientError } from './errors.js';
import type { AccountKey } from './jws.js';
import { getDirectory, signedRequest } from './transport.js';
import { REVOCATION_REASONS, type RevocationReason } from './types.js';

/** Who signs a revocation (RFC 8555 §7.6): the account that ordered it, or the certificate's own key. */
export type RevocationSigner = { readonly account: Account } | { readonly certificateKey: AccountKey };

/**
 * RFC 8555 §7.6: revokes a certificate, with an RFC 5280 §5.3.1 reason code when given. The CA may
 * refuse a reason (`badRevocationReason`) or say it is `alreadyRevoked`; both arrive as typed problems.
 *
 * @example
 * await revokeCertificate(ctx, { account }, certDer, 'superseded');
 */
export async function revokeCertificate(
  ctx: AcmeContext,
  signer: RevocationSigner,
  certificateDer: Uint8Array,
  reason?: RevocationReason,
): Promise<void> {
  const payload: Record<string, unknown> = { certificate: Buffer.from(certificateDer).toString('base64url') };
  if (reason !== undefined) {
    const code = REVOCATION_REASONS[reason];
    if (code === undefined) {
      throw new AcmeClientError(`Unknown revocation reason "${reason}"; use one of ${Object.keys(REVOCATION_REASONS).join(', ')}.`);
    }
    payload.reason = code;
  }
  const dir = await getDirectory(ctx);
  if ('account' in signer) {
    await signedRequest(ctx, dir.revokeCert, { key: signer.account.key, accountUrl: signer.account.url }, payload);
  } else {
    await signedRequest(ctx, dir.revokeCert, { key: signer.certificateKey }, payload);
  }
}
