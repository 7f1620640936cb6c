import { describe, expect, it } from 'vitest';
import { decodeEabHmacKey, EAB_ALGORITHMS, parseEabCredentials } from '../../../shared/acme/eab.js';
import { EabCredentialsError } from '../../../shared/acme/errors.js';

const rawKey = Buffer.from('a'.repeat(31) + '\xff', 'latin1');
const HMAC = rawKey.toString('base64url');

describe('decodeEabHmacKey', () => {
  it('accepts the HMAC key in base64url with or without padding, and standard base64', () => {
    expect(Buffer.from(decodeEabHmacKey(HMAC))).toEqual(rawKey);
    expect(Buffer.from(decodeEabHmacKey(`${HMAC}=`))).toEqual(rawKey);
    expect(Buffer.from(decodeEabHmacKey(rawKey.toString('base64')))).toEqual(rawKey);
  });

  it('rejects a garbled key without echoing it', () => {
    try {
      decodeEabHmacKey('not base64 !!secret');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).name).toBe('AcmeClientError');
      expect((err as Error).message).not.toContain('secret');
    }
  });
});

describe('parseEabCredentials', () => {
  const from = { source: 'secret', ref: 'acmeflow/eab/jprs' } as const;

  it.each(EAB_ALGORITHMS)('accepts %s, and no algorithm at all', (algorithm) => {
    expect(parseEabCredentials({ kid: 'k', hmacKey: HMAC, algorithm }, from)).toEqual({ kid: 'k', hmacKey: HMAC, algorithm });
    expect(parseEabCredentials({ kid: 'k', hmacKey: HMAC }, from)).toEqual({ kid: 'k', hmacKey: HMAC });
  });

  it.each([
    ['not an object', ['x'], undefined, 'does not hold a JSON object'],
    ['no kid', { hmacKey: HMAC }, 'kid', 'no "kid"'],
    ['an empty hmacKey', { kid: 'k', hmacKey: '' }, 'hmacKey', 'no "hmacKey"'],
    ['a lower-case algorithm (only the command line folds case)', { kid: 'k', hmacKey: HMAC, algorithm: 'hs256' }, 'algorithm', '"algorithm" other than HS256, HS384, HS512'],
    ['a key that is not base64url', { kid: 'k', hmacKey: 'SUPER SECRET!' }, 'hmacKey', 'holds a space or line break at character 6. It must be base64url or standard base64'],
    ['a key cut short', { kid: 'k', hmacKey: HMAC.slice(0, -1) }, 'hmacKey', 'was cut short or has one character too many'],
  ])('refuses %s with an EabCredentialsError naming the member, never the key', (_what, value, field, problem) => {
    const err = (() => {
      try {
        parseEabCredentials(value, from);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(EabCredentialsError);
    expect(err).toMatchObject({ name: 'EabCredentialsError', source: 'secret', ref: 'acmeflow/eab/jprs', field });
    expect((err as Error).message).toContain(problem);
    expect((err as Error).message).not.toContain('SECRET');
  });

  it('words the fix for where the credentials came from', () => {
    const bad = { kid: 'k' };
    expect(() => parseEabCredentials(bad, { source: 'secret', ref: 'acmeflow/eab/x' })).toThrow(/^The EAB secret "acmeflow\/eab\/x" has no "hmacKey" string\. Store .* Secrets Manager secret/);
    expect(() => parseEabCredentials(bad, { source: 'file', ref: '/etc/eab.json' })).toThrow(/^The EAB credentials file \/etc\/eab\.json has no "hmacKey" string\. .*\(mode 0600\)/);
  });
});
