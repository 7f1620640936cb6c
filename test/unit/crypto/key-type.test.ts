import { describe, expect, it } from 'vitest';
import { KEY_TYPES, isKeyType } from '../../../shared/crypto/index.js';

describe('KEY_TYPES / isKeyType', () => {
  it('lists exactly the five supported key types', () => {
    expect([...KEY_TYPES]).toEqual(['rsa-2048', 'rsa-3072', 'rsa-4096', 'ecdsa-p256', 'ecdsa-p384']);
    expect(Object.isFrozen(KEY_TYPES)).toBe(true);
  });

  it('accepts key types and rejects anything else', () => {
    for (const keyType of KEY_TYPES) expect(isKeyType(keyType)).toBe(true);
    for (const value of ['ecdsa-p521', 'ed25519', 'rsa-1024', 'RSA-2048', '', null, 2048, undefined]) {
      expect(isKeyType(value)).toBe(false);
    }
  });
});
