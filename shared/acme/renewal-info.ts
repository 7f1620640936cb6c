import type { AcmeContext } from './context.js';
import { AcmeClientError, AcmeInvalidResponseError } from './errors.js';
import { httpRequest, jsonBody } from './http.js';
import { parseRetryAfter } from './retry-after.js';
import { getDirectory } from './transport.js';
import type { RenewalInfo } from './types.js';

/** RFC 9773 §4.3: clients should poll renewal info about every 6 hours when the server gives no Retry-After. */
const DEFAULT_RETRY_AFTER_SECONDS = 6 * 60 * 60;

/** Whether the CA offers ACME Renewal Information (RFC 9773 §3: `renewalInfo` in the directory). */
export async function supportsRenewalInfo(ctx: AcmeContext): Promise<boolean> {
  return Boolean((await getDirectory(ctx)).renewalInfo);
}

/**
 * RFC 9773 §4.2: the suggested renewal window for a certificate, by its ARI certificate identifier
 * (`ariCertificateId` in shared/crypto). An unauthenticated GET. Windows are returned as the CA sent
 * them; the renewal policy decides what to do with invalid ones.
 *
 * @example
 * const info = await getRenewalInfo(ctx, ariCertificateId(certPem));
 */
export async function getRenewalInfo(ctx: AcmeContext, certificateId: string): Promise<RenewalInfo> {
  const dir = await getDirectory(ctx);
  if (!dir.renewalInfo) throw new AcmeClientError('This CA does not offer ACME Renewal Information (no renewalInfo in its directory).');
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(certificateId)) {
    throw new AcmeClientError(`"${certificateId}" is not an ARI certificate identifier (base64url AKI "." base64url serial, RFC 9773 §4.1).`);
  }
  const url = `${dir.renewalInfo.replace(/\/+$/, '')}/${certificateId}`;
  const res = await httpRequest(ctx, 'GET', url);
  const body = jsonBody<{ suggestedWindow?: { start?: unknown; end?: unknown }; explanationURL?: unknown }>(res);
  const start = body.suggestedWindow?.start;
  const end = body.suggestedWindow?.end;
  if (typeof start !== 'string' || typeof end !== 'string') {
    throw new AcmeInvalidResponseError(url, 'the renewal info lacks suggestedWindow.start/end (RFC 9773 §4.2)', { status: res.status });
  }
  return {
    suggestedWindow: { start, end },
    ...(typeof body.explanationURL === 'string' ? { explanationURL: body.explanationURL } : {}),
    retryAfterSeconds:
      parseRetryAfter(res.headers.get('retry-after'), ctx.now(), { min: 60, max: 7 * 24 * 60 * 60 }) ?? DEFAULT_RETRY_AFTER_SECONDS,
  };
}
