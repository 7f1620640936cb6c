import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { challengeDomain, challengeRecord, groupRecords } from '../../../shared/dns/challenge-record.js';

// RFC 8555 §8.1: keyAuthorization = token || '.' || base64url(Thumbprint(accountKey)).
const TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA';
const THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const KEY_AUTHORIZATION = `${TOKEN}.${THUMBPRINT}`;

/** The RFC 8555 §8.4 value computed independently of the code under test. */
function expectedValue(keyAuthorization: string): string {
  return createHash('sha256').update(keyAuthorization).digest('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

describe('challengeRecord', () => {
  it('computes name and value per RFC 8555 §8.4', () => {
    const record = challengeRecord('example.com', KEY_AUTHORIZATION);
    expect(record).toEqual({
      name: '_acme-challenge.example.com',
      effectiveName: '_acme-challenge.example.com',
      value: expectedValue(KEY_AUTHORIZATION),
    });
    expect(record.value).toHaveLength(43);
    expect(record.value).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('puts a wildcard and its apex on the same name', () => {
    expect(challengeRecord('*.example.com', 'a.b').name).toBe('_acme-challenge.example.com');
    expect(challengeRecord({ type: 'dns', value: '*.Example.COM.' }, 'a.b').name).toBe('_acme-challenge.example.com');
  });

  it('normalizes case, trailing dot and IDN to A-labels', () => {
    expect(challengeRecord('WWW.Example.com.', 'a.b').name).toBe('_acme-challenge.www.example.com');
    expect(challengeRecord('bücher.example', 'a.b').name).toBe('_acme-challenge.xn--bcher-kva.example');
  });

  it('rejects identifiers that cannot carry a dns-01 record', () => {
    expect(() => challengeDomain('')).toThrow(TypeError);
    expect(() => challengeDomain('*.*.example.com')).toThrow(TypeError);
    expect(() => challengeDomain('www.*.example.com')).toThrow(TypeError);
  });
});

describe('groupRecords', () => {
  it('merges wildcard and apex into one record with two values', () => {
    const wildcard = challengeRecord('*.example.com', 'token1.thumb');
    const apex = challengeRecord('example.com', 'token2.thumb');
    const www = challengeRecord('www.example.com', 'token3.thumb');
    expect(groupRecords([wildcard, apex, www], { ttl: 30 })).toEqual([
      { name: '_acme-challenge.example.com', values: [wildcard.value, apex.value], ttl: 30 },
      { name: '_acme-challenge.www.example.com', values: [www.value], ttl: 30 },
    ]);
  });

  it('groups by effective name and drops duplicate values', () => {
    const a = { ...challengeRecord('a.example.com', 'x.y'), effectiveName: 'shared.acme-dns.test' };
    const b = { ...challengeRecord('b.example.com', 'z.y'), effectiveName: 'Shared.acme-dns.test.' };
    expect(groupRecords([a, b, a])).toEqual([{ name: 'shared.acme-dns.test', values: [a.value, b.value] }]);
  });
});
