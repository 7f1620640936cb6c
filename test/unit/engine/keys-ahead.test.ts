import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeysAhead } from '../../../engine/keys-ahead.js';

const typeOf = (pem: string) => {
  const key = createPrivateKey(pem);
  return `${key.asymmetricKeyType}:${key.asymmetricKeyDetails?.namedCurve ?? key.asymmetricKeyDetails?.modulusLength}`;
};

describe('KeysAhead', () => {
  it('hands out the key started for the lineage once, then makes new ones', async () => {
    const ahead = new KeysAhead();
    ahead.start('a.example', 'ecdsa-p256');
    ahead.start('a.example', 'ecdsa-p256'); // already under way: not a second one
    expect(ahead.size).toBe(1);
    const first = await ahead.take('a.example', 'ecdsa-p256');
    expect(ahead.size).toBe(0);
    const second = await ahead.take('a.example', 'ecdsa-p256');
    expect(typeOf(first)).toBe('ec:prime256v1');
    expect(typeOf(second)).toBe('ec:prime256v1');
    expect(second).not.toBe(first);
  });

  it('keeps each lineage\u2019s key to itself', async () => {
    const ahead = new KeysAhead();
    ahead.start('a.example', 'ecdsa-p256');
    ahead.start('b.example', 'ecdsa-p384');
    expect(ahead.size).toBe(2);
    expect(typeOf(await ahead.take('b.example', 'ecdsa-p384'))).toBe('ec:secp384r1');
    expect(ahead.size).toBe(1);
  });

  it('makes a key of the asked type when the one started is of another type (the spec changed)', async () => {
    const ahead = new KeysAhead();
    ahead.start('a.example', 'ecdsa-p256');
    expect(typeOf(await ahead.take('a.example', 'rsa-2048'))).toBe('rsa:2048');
    expect(ahead.size).toBe(0);
  });
});
