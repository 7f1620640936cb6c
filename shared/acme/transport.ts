import type { AcmeContext } from './context.js';
import { AcmeBadNonceError, AcmeInvalidResponseError } from './errors.js';
import { assertHttpsUrl, httpRequest, jsonBody, type AcmeHttpResponse } from './http.js';
import { signJws, type AccountKey, type JwsKeyId } from './jws.js';
import type { Directory } from './types.js';

/**
 * Directories change rarely; one fetch per process and CA is enough (a warm Lambda reuses it).
 * Keyed by directory URL. An hour-long lifetime picks up a CA's new endpoints without a restart.
 */
const DIRECTORY_TTL_MS = 60 * 60 * 1000;
const directoryCache = new Map<string, { directory: Directory; fetchedAt: number }>();

/** Forgets cached directories (after a CA migration, or between tests against restarted CAs). */
export function clearDirectoryCache(): void {
  directoryCache.clear();
}

/**
 * RFC 8555 §7.1.1: the directory, cached per process.
 *
 * @example
 * const dir = await getDirectory(ctx);
 * if (dir.meta?.externalAccountRequired) { ... }
 */
export async function getDirectory(ctx: AcmeContext): Promise<Directory> {
  const cached = directoryCache.get(ctx.directoryUrl);
  const now = ctx.now().getTime();
  if (cached && now - cached.fetchedAt < DIRECTORY_TTL_MS) return cached.directory;
  assertHttpsUrl(ctx.directoryUrl, 'the directory URL');
  const res = await httpRequest(ctx, 'GET', ctx.directoryUrl);
  const directory = jsonBody<Directory>(res);
  for (const field of ['newNonce', 'newAccount', 'newOrder'] as const) {
    if (typeof directory[field] !== 'string') {
      throw new AcmeInvalidResponseError(ctx.directoryUrl, `the directory has no "${field}" URL; is this an ACME directory URL?`, {
        status: res.status,
      });
    }
  }
  // RFC 8555 §6.1: a directory listing http: endpoints would have signed requests sent in clear text.
  for (const field of ['newNonce', 'newAccount', 'newOrder', 'revokeCert', 'keyChange', 'newAuthz', 'renewalInfo'] as const) {
    const value = directory[field];
    if (value !== undefined) assertHttpsUrl(String(value), `the directory's ${field} URL`);
  }
  directoryCache.set(ctx.directoryUrl, { directory, fetchedAt: now });
  return directory;
}

/** RFC 8555 §7.2: a nonce from the pool, or a fresh one from `HEAD newNonce` when the pool is empty. */
async function takeNonce(ctx: AcmeContext): Promise<string> {
  const held = ctx.nonces.pop();
  if (held) return held;
  const dir = await getDirectory(ctx);
  const res = await httpRequest(ctx, 'HEAD', dir.newNonce);
  const fresh = ctx.nonces.pop();
  if (!fresh) throw new AcmeInvalidResponseError(dir.newNonce, 'newNonce returned no Replay-Nonce header', { status: res.status });
  return fresh;
}

/** Who signs: the account (`kid`, RFC 8555 §6.2) or a bare key (`jwk`: newAccount, revocation by certificate key). */
export type Signer = { readonly key: AccountKey; readonly accountUrl: string } | { readonly key: AccountKey; readonly accountUrl?: undefined };

function keyIdOf(signer: Signer): JwsKeyId {
  return signer.accountUrl === undefined ? { jwk: true } : { kid: signer.accountUrl };
}

/**
 * A signed POST (RFC 8555 §6.2); `payload` undefined is POST-as-GET (§6.3).
 * A `badNonce` answer is retried with the nonce that came with it (§6.5), up to
 * `ctx.maxBadNonceRetries` times; other failures are thrown as typed errors.
 */
export async function signedRequest(
  ctx: AcmeContext,
  url: string,
  signer: Signer,
  payload: unknown,
  options: { maxBodyBytes?: number } = {},
): Promise<AcmeHttpResponse> {
  for (let attempt = 0; ; attempt++) {
    const nonce = await takeNonce(ctx);
    const jws = await signJws(signer.key, keyIdOf(signer), url, nonce, payload);
    try {
      // httpRequest keeps the response's Replay-Nonce, so the retry below signs with the nonce
      // that came with the badNonce error.
      return await httpRequest(ctx, 'POST', url, { body: JSON.stringify(jws), contentType: 'application/jose+json', ...options });
    } catch (err) {
      if (err instanceof AcmeBadNonceError && attempt < ctx.maxBadNonceRetries) continue;
      throw err;
    }
  }
}

/** POST-as-GET (RFC 8555 §6.3) of a resource, parsed as JSON. */
export async function postAsGet<T>(ctx: AcmeContext, url: string, signer: Signer & { accountUrl: string }): Promise<{ body: T; res: AcmeHttpResponse }> {
  const res = await signedRequest(ctx, url, signer, undefined);
  return { body: jsonBody<T>(res), res };
}
