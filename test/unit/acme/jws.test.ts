import { flattenedVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  exportAccountKeyPem,
  generateAccountKey,
  importAccountKey,
  keyAuthorization,
  signExternalAccountBinding,
  signJws,
} from '../../../shared/acme/jws.js';
import { EAB_ALGORITHMS } from '../../../shared/acme/eab.js';
import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';

describe('account keys', () => {
  it.each([
    ['ecdsa-p256', 'ES256'],
    ['ecdsa-p384', 'ES384'],
    ['rsa-2048', 'RS256'],
  ] as const)('%s signs with %s and round-trips through PEM', async (type, alg) => {
    const key = await generateAccountKey(type);
    expect(key.alg).toBe(alg);
    const again = importAccountKey(exportAccountKeyPem(key));
    expect(again.publicJwk).toEqual(key.publicJwk);
    expect(JSON.stringify(key)).not.toContain('"d"');
  });

  it('rejects RSA keys under 2048 bits and unsupported curves', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(() => importAccountKey(small)).toThrow(/at least 2048/);
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(() => importAccountKey(ed)).toThrow(expect.objectContaining({ name: 'AcmeClientError' }));
  });

  it('signs kid and jwk requests that verify, with an empty payload for POST-as-GET', async () => {
    const key = await generateAccountKey();
    const jws = await signJws(key, { kid: 'https://ca/acct/1' }, 'https://ca/order/1', 'nonce1', undefined);
    const header = JSON.parse(Buffer.from(jws.protected!, 'base64url').toString());
    expect(header).toEqual({ alg: 'ES256', url: 'https://ca/order/1', nonce: 'nonce1', kid: 'https://ca/acct/1' });
    expect(jws.payload).toBe('');
    const verified = await flattenedVerify(jws, await importJWK(key.publicJwk, 'ES256'));
    expect(verified.payload.length).toBe(0);
    const withJwk = await signJws(key, { jwk: true }, 'https://ca/new-acct', 'n2', { a: 1 });
    expect(JSON.parse(Buffer.from(withJwk.protected!, 'base64url').toString()).jwk).toEqual(key.publicJwk);
  });

  it('computes the RFC 8555 §8.1 key authorization from the RFC 7638 thumbprint', async () => {
    const key = await generateAccountKey();
    const { crv, kty, x, y } = key.publicJwk as Record<string, string>;
    const thumb = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
    expect(await keyAuthorization('tok', key)).toBe(`tok.${thumb}`);
  });
});

describe('External Account Binding', () => {
  const rawKey = Buffer.from('a'.repeat(31) + '\xff', 'latin1');
  it.each(EAB_ALGORITHMS)('MACs the account JWK with %s (RFC 8555 §7.3.4)', async (algorithm) => {
    const key = await generateAccountKey();
    const eab = await signExternalAccountBinding({ kid: 'kid-1', hmacKey: rawKey.toString('base64url'), algorithm }, key, 'https://ca/new-acct');
    const header = JSON.parse(Buffer.from(eab.protected!, 'base64url').toString());
    expect(header).toEqual({ alg: algorithm, kid: 'kid-1', url: 'https://ca/new-acct' });
    expect(JSON.parse(Buffer.from(eab.payload, 'base64url').toString())).toEqual(key.publicJwk);
    const mac = createHmac(`sha${algorithm.slice(2)}`, rawKey).update(`${eab.protected}.${eab.payload}`).digest('base64url');
    expect(eab.signature).toBe(mac);
  });
});
