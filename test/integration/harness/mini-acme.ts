import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as jose from 'jose';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

/**
 * The smallest ACME client that proves the harness works end to end (EAB account, DNS-01 order, revoke).
 * Deliberately independent of shared/acme: these tests check the harness, not the product.
 */
export interface MiniAcme {
  readonly directory: Record<string, unknown> & { newNonce: string; newAccount: string; newOrder: string; revokeCert: string };
  readonly jwk: jose.JWK;
  accountUrl: string | undefined;
  /** POST a JWS; payload `undefined` is POST-as-GET. Throws with the problem document on 4xx/5xx. */
  post(url: string, payload?: unknown): Promise<{ status: number; headers: Headers; text: string; json: any }>;
  thumbprint(): Promise<string>;
}

export async function miniAcme(directoryUrl: string, doFetch: typeof fetch): Promise<MiniAcme> {
  const directory = (await (await doFetch(directoryUrl)).json()) as MiniAcme['directory'];
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  let nonce: string | null = null;
  const client: MiniAcme = {
    directory,
    jwk,
    accountUrl: undefined,
    async post(url, payload) {
      nonce ??= (await doFetch(directory.newNonce, { method: 'HEAD' })).headers.get('replay-nonce');
      const header = { alg: 'ES256', nonce: nonce!, url, ...(client.accountUrl ? { kid: client.accountUrl } : { jwk }) };
      const body = payload === undefined ? '' : JSON.stringify(payload);
      const jws = await new jose.FlattenedSign(new TextEncoder().encode(body)).setProtectedHeader(header).sign(privateKey);
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/jose+json' },
        body: JSON.stringify(jws),
      });
      nonce = res.headers.get('replay-nonce');
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (res.status >= 400) throw Object.assign(new Error(`POST ${url}: ${res.status} ${text}`), { problem: json });
      return { status: res.status, headers: res.headers, text, json };
    },
    thumbprint: () => jose.calculateJwkThumbprint(jwk),
  };
  return client;
}

/** RFC 8555 §7.3.4: the inner JWS, MAC'd with the EAB key, over the account JWK. */
export async function externalAccountBinding(
  acme: MiniAcme,
  eab: { kid: string; hmacKey: string },
): Promise<jose.FlattenedJWS> {
  return new jose.FlattenedSign(new TextEncoder().encode(JSON.stringify(acme.jwk)))
    .setProtectedHeader({ alg: 'HS256', kid: eab.kid, url: acme.directory.newAccount })
    .sign(jose.base64url.decode(eab.hmacKey));
}

/** RFC 8555 §8.4: the TXT value for a DNS-01 challenge. */
export function dns01Value(token: string, thumbprint: string): string {
  return createHash('sha256').update(`${token}.${thumbprint}`).digest('base64url');
}

export async function csrDer(domain: string): Promise<string> {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${domain}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: domain }])],
  });
  return Buffer.from(csr.rawData).toString('base64url');
}

export async function pollUntil<T>(fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}
