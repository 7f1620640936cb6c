import { createPrivateKey, createPublicKey, generateKeyPair as nodeGenerateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { FlattenedSign, calculateJwkThumbprint, type FlattenedJWS, type JWK } from 'jose';
import { decodeEabHmacKey, type ExternalAccountBinding } from './eab.js';
import { AcmeClientError } from './errors.js';

const generateKeyPair = promisify(nodeGenerateKeyPair);

/** Account key types: ECDSA P-256 is the default (small, fast, accepted by every CA). */
export type AccountKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096';

/**
 * An ACME account key in memory. Never serialised into state, events or logs; only
 * {@link exportAccountKeyPem} turns it back into text, for the key store.
 */
export interface AccountKey {
  readonly privateKey: KeyObject;
  /** The public JWK with only the members RFC 7638 §3.2 requires, in the `jwk` header (RFC 8555 §6.2). */
  readonly publicJwk: JWK;
  /** RFC 7518 algorithm: ES256 for P-256, ES384 for P-384, RS256 for RSA. */
  readonly alg: 'ES256' | 'ES384' | 'RS256';
  /** Redacts the key when someone logs the object. */
  toJSON(): { alg: string; thumbprint?: string };
}

/** Loads a PEM private key (PKCS#8, PKCS#1 or SEC1) as an account key. */
export function importAccountKey(pem: string): AccountKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new AcmeClientError('The account key is not a readable PEM private key.', { cause: err });
  }
  return accountKeyFromKeyObject(privateKey);
}

function accountKeyFromKeyObject(privateKey: KeyObject): AccountKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  let alg: AccountKey['alg'];
  let publicJwk: JWK;
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') alg = 'ES256';
  else if (jwk.kty === 'EC' && jwk.crv === 'P-384') alg = 'ES384';
  else if (jwk.kty === 'RSA') {
    const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new AcmeClientError(`RSA account keys must have at least 2048 bits; this one has ${bits}.`);
    alg = 'RS256';
  } else {
    throw new AcmeClientError(`Unsupported account key (${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''}); use ECDSA P-256, P-384 or RSA 2048+.`);
  }
  if (jwk.kty === 'EC') publicJwk = { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  else publicJwk = { kty: 'RSA', n: jwk.n, e: jwk.e };
  return { privateKey, publicJwk, alg, toJSON: () => ({ alg }) };
}

/**
 * Generates a new account key.
 *
 * @example
 * const key = await generateAccountKey(); // ECDSA P-256
 */
export async function generateAccountKey(type: AccountKeyType = 'ecdsa-p256'): Promise<AccountKey> {
  const pair =
    type === 'ecdsa-p256' || type === 'ecdsa-p384'
      ? await generateKeyPair('ec', { namedCurve: type === 'ecdsa-p256' ? 'P-256' : 'P-384' })
      : await generateKeyPair('rsa', { modulusLength: Number(type.slice(4)) });
  return accountKeyFromKeyObject(pair.privateKey);
}

/** PKCS#8 PEM of the account key, for the key store only. */
export function exportAccountKeyPem(key: AccountKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** RFC 7638 thumbprint (SHA-256, base64url) of the account key's public JWK. */
export function accountKeyThumbprint(key: AccountKey): Promise<string> {
  return calculateJwkThumbprint(key.publicJwk, 'sha256');
}

/**
 * RFC 8555 §8.1: the key authorization of a challenge token, `token || '.' || base64url(thumbprint)`.
 */
export async function keyAuthorization(token: string, key: AccountKey): Promise<string> {
  return `${token}.${await accountKeyThumbprint(key)}`;
}

const encoder = new TextEncoder();

/** The JWS protected header fields of RFC 8555 §6.2, with either `jwk` or `kid`. */
export type JwsKeyId = { readonly kid: string } | { readonly jwk: true };

/**
 * Signs an ACME request body (RFC 8555 §6.2) in flattened JSON serialization.
 * `payload` undefined means POST-as-GET (§6.3): the payload is the empty string.
 */
export async function signJws(
  key: AccountKey,
  keyId: JwsKeyId,
  url: string,
  nonce: string | undefined,
  payload: unknown,
): Promise<FlattenedJWS> {
  const header: Record<string, unknown> = { alg: key.alg, url };
  if (nonce !== undefined) header.nonce = nonce;
  if ('kid' in keyId) header.kid = keyId.kid;
  else header.jwk = key.publicJwk;
  const bytes = payload === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(payload));
  return new FlattenedSign(bytes).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

/**
 * RFC 8555 §7.3.4: the `externalAccountBinding` field of newAccount, a JWS over the account's public
 * JWK, MACed with the CA-issued HMAC key, with protected header `{ alg, kid, url }` and no nonce.
 */
export async function signExternalAccountBinding(
  eab: ExternalAccountBinding,
  accountKey: AccountKey,
  newAccountUrl: string,
): Promise<FlattenedJWS> {
  // The credentials went through parseEabCredentials where they entered (flags, file, secret).
  const alg = eab.algorithm ?? 'HS256';
  const payload = encoder.encode(JSON.stringify(accountKey.publicJwk));
  return new FlattenedSign(payload)
    .setProtectedHeader({ alg, kid: eab.kid, url: newAccountUrl })
    .sign(decodeEabHmacKey(eab.hmacKey));
}
