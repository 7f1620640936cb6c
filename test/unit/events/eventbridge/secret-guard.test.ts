import { describe, expect, it } from 'vitest';
import { assertNoSecrets, findSecret, isSecretFieldName } from '../../../../shared/events/eventbridge/index.js';
import { deployable, issuanceFailed, issued, PEM_PRIVATE_KEY, revoked, sweep } from '../fixtures.js';

describe('findSecret', () => {
  it('finds every PEM private key label, wherever the block sits in a string', () => {
    for (const label of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'PGP PRIVATE KEY BLOCK']) {
      expect(findSecret({ note: `before\n-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\nafter` })).toEqual({ path: 'note', kind: 'private-key-pem' });
    }
  });

  it('lets certificates and public keys through', () => {
    expect(findSecret({ chain: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', pub: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' })).toBeUndefined();
  });

  it('names the path through objects and arrays', () => {
    const detail = { problem: { type: 'x', subproblems: [{ type: 'y' }, { type: 'z', token: 'abc' }] } };
    expect(findSecret(detail)).toEqual({ path: 'problem.subproblems[1].token', kind: 'secret-field' });
    expect(findSecret({ errors: ['fine', PEM_PRIVATE_KEY] })).toEqual({ path: 'errors[1]', kind: 'private-key-pem' });
  });

  it('finds private JWKs (asymmetric with d, symmetric oct with k) and lets public ones through', () => {
    expect(findSecret({ account: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' } })).toEqual({ path: 'account', kind: 'private-jwk' });
    expect(findSecret({ eab: { kty: 'oct', k: 'c2VjcmV0' } })).toEqual({ path: 'eab', kind: 'private-jwk' });
    expect(findSecret({ account: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' } })).toBeUndefined();
  });

  it('refuses a secret-named field whatever its value, even undefined', () => {
    expect(findSecret({ clientSecret: undefined })).toEqual({ path: 'clientSecret', kind: 'secret-field' });
  });

  it('survives a cycle', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop['self'] = loop;
    expect(findSecret(loop)).toBeUndefined();
  });
});

describe('isSecretFieldName', () => {
  it.each([
    'hmacKey', 'eabHmacKey', 'hmac_key', 'EAB-HMAC-KEY', 'secret', 'clientSecret', 'secretAccessKey', 'token', 'apiToken', 'sessionToken',
    'password', 'passwd', 'passphrase', 'privateKey', 'private_key_pem', 'privkey', 'apiKey', 'credentials', 'accountKey', 'authorization', 'cookie',
  ])('refuses %s', (name) => expect(isSecretFieldName(name)).toBe(true));

  it.each(['keyLocation', 'lineage', 'serialHex', 'location', 'domains', 'detail', 'type', 'instance', 'identifier', 'reason', 'keyType', 'renewal'])(
    'lets %s through',
    (name) => expect(isSecretFieldName(name)).toBe(false),
  );
});

describe('assertNoSecrets', () => {
  it('passes every event the schemas describe', () => {
    for (const event of [issued(), deployable(), issuanceFailed(), revoked(), sweep(3)]) expect(() => assertNoSecrets(event)).not.toThrow();
  });

  it('throws EventContainsSecretError with the detail-type, index and path, never the value', () => {
    const event = issuanceFailed('a.example', { problem: { type: 'urn:ietf:params:acme:error:malformed', hmacKey: 'c2VjcmV0' } });
    let error: unknown;
    try {
      assertNoSecrets(event, 4);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ name: 'EventContainsSecretError', detailType: 'Certificate Issuance Failed', index: 4, path: 'problem.hmacKey', kind: 'secret-field' });
    expect((error as Error).message).toContain('problem.hmacKey');
    expect((error as Error).message).not.toContain('c2VjcmV0');
  });
});
