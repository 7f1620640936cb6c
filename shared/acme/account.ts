import type { AcmeContext } from './context.js';
import { AcmeExternalAccountRequiredError, AcmeInvalidResponseError, ACME_ERROR_PREFIX } from './errors.js';
import { jsonBody } from './http.js';
import type { ExternalAccountBinding } from './eab.js';
import { signExternalAccountBinding, signJws, type AccountKey } from './jws.js';
import { getDirectory, signedRequest } from './transport.js';
import type { AccountResource } from './types.js';

/** An account the layer acts for: its URL (the JWS `kid`) and its key. Passed on every call. */
export interface Account {
  readonly url: string;
  readonly key: AccountKey;
}

export interface NewAccountRequest {
  /** `mailto:` URLs or bare e-mail addresses (prefixed with `mailto:` here). */
  readonly contact?: readonly string[];
  /** The user's explicit agreement to the CA's terms (RFC 8555 §7.3: `termsOfServiceAgreed`). */
  readonly termsOfServiceAgreed?: boolean;
  readonly externalAccountBinding?: ExternalAccountBinding;
}

function contactUrls(contact: readonly string[] | undefined): string[] | undefined {
  return contact?.map((c) => (/^[a-z][a-z0-9+.-]*:/i.test(c) ? c : `mailto:${c}`));
}

function accountFromResponse(url: string | undefined, body: Omit<AccountResource, 'url'>, requestUrl: string, created: boolean): AccountResource {
  if (!url) throw new AcmeInvalidResponseError(requestUrl, 'the account response has no Location header');
  return { ...body, url, created };
}

/**
 * RFC 8555 §7.3: registers an account, or returns the existing one for this key (200 instead of 201).
 * When the directory says `externalAccountRequired` and no EAB is given, fails before sending with the
 * `externalAccountRequired` problem and its explanation, so no request is wasted on a certain refusal.
 *
 * @example
 * const acct = await newAccount(ctx, key, { contact: ['ops@example.jp'], termsOfServiceAgreed: true,
 *   externalAccountBinding: { kid: 'KID', hmacKey: 'HMAC' } });
 */
export async function newAccount(ctx: AcmeContext, key: AccountKey, request: NewAccountRequest): Promise<AccountResource> {
  const dir = await getDirectory(ctx);
  if (dir.meta?.externalAccountRequired && !request.externalAccountBinding) {
    const type = `${ACME_ERROR_PREFIX}externalAccountRequired`;
    // The detail says what happened, once; what to do is the explanation's job (explainProblem), shown beside it.
    throw new AcmeExternalAccountRequiredError(
      { type, detail: "The CA's directory requires External Account Binding (meta.externalAccountRequired) and none was given, so the registration was not sent." },
      { url: dir.newAccount, notSent: true },
    );
  }
  const payload: Record<string, unknown> = {};
  const contact = contactUrls(request.contact);
  if (contact) payload.contact = contact;
  if (request.termsOfServiceAgreed !== undefined) payload.termsOfServiceAgreed = request.termsOfServiceAgreed;
  if (request.externalAccountBinding) {
    payload.externalAccountBinding = await signExternalAccountBinding(request.externalAccountBinding, key, dir.newAccount);
  }
  const res = await signedRequest(ctx, dir.newAccount, { key }, payload);
  return accountFromResponse(res.location, jsonBody(res), dir.newAccount, res.status === 201);
}

/**
 * RFC 8555 §7.3.1: finds the account registered for this key without creating one.
 * Throws `AcmeAccountDoesNotExistError` when there is none.
 */
export async function findAccount(ctx: AcmeContext, key: AccountKey): Promise<AccountResource> {
  const dir = await getDirectory(ctx);
  const res = await signedRequest(ctx, dir.newAccount, { key }, { onlyReturnExisting: true });
  return accountFromResponse(res.location, jsonBody(res), dir.newAccount, false);
}

/** Reads the account with an empty update (RFC 8555 §7.3.2), which every CA answers; some refuse POST-as-GET on accounts. */
export async function getAccount(ctx: AcmeContext, account: Account): Promise<AccountResource> {
  const res = await signedRequest(ctx, account.url, { key: account.key, accountUrl: account.url }, {});
  return { ...jsonBody<Omit<AccountResource, 'url'>>(res), url: account.url };
}

/** RFC 8555 §7.3.2: changes the account's contacts. */
export async function updateAccount(ctx: AcmeContext, account: Account, update: { contact: readonly string[] }): Promise<AccountResource> {
  const res = await signedRequest(ctx, account.url, { key: account.key, accountUrl: account.url }, { contact: contactUrls(update.contact) });
  return { ...jsonBody<Omit<AccountResource, 'url'>>(res), url: account.url };
}

/**
 * RFC 8555 §7.3.5: replaces the account key. The inner JWS is signed by the new key (with `jwk`,
 * no nonce) over `{ account, oldKey }`; the outer is an ordinary request signed by the old key.
 * Returns the account with its new key; the old key stops working at once.
 */
export async function keyChange(ctx: AcmeContext, account: Account, newKey: AccountKey): Promise<Account> {
  const dir = await getDirectory(ctx);
  const inner = await signJws(newKey, { jwk: true }, dir.keyChange, undefined, { account: account.url, oldKey: account.key.publicJwk });
  await signedRequest(ctx, dir.keyChange, { key: account.key, accountUrl: account.url }, inner);
  return { url: account.url, key: newKey };
}

/** RFC 8555 §7.3.6: deactivates the account for good; the CA refuses its requests from then on. */
export async function deactivateAccount(ctx: AcmeContext, account: Account): Promise<AccountResource> {
  const res = await signedRequest(ctx, account.url, { key: account.key, accountUrl: account.url }, { status: 'deactivated' });
  return { ...jsonBody<Omit<AccountResource, 'url'>>(res), url: account.url };
}
