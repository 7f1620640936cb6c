import { describe, expect, it } from 'vitest';
import { MAX_DOMAINS, normalizeDomain, normalizeDomains } from '../../../shared/config/domains.js';

describe('normalizeDomain', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['*.Example.com', '*.example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['日本語.jp', 'xn--wgv71a119e.jp'],
    ['  www.example.org ', 'www.example.org'],
    [`${'a'.repeat(63)}.example.com`, `${'a'.repeat(63)}.example.com`],
  ])('%j → %j', (input, output) => {
    expect(normalizeDomain(input)).toBe(output);
  });

  it.each([
    ['', /empty/],
    ['x..y', /empty label/],
    ['.example.com', /empty label/],
    ['*.*.example.com', /wildcard/],
    ['www.*.example.com', /wildcard/],
    ['a*.example.com', /wildcard/],
    ['192.0.2.1', /IP address/],
    ['2001:db8::1', /IP address/],
    ['localhost', /two labels/],
    ['-bad.example.com', /letters, digits/],
    ['bad_.example.com', /letters, digits/],
    ['ex ample.com', /letters, digits/],
    [`${'a'.repeat(64)}.example.com`, /longer than 63/],
    [`${Array.from({ length: 60 }, () => 'abcd').join('.')}.com`, /limit is 253/],
    ['example.123', /all digits/],
    // 238 characters: within 253, but `_acme-challenge.` makes 254 (RFC 8555 §8.4); the wildcard's base name counts.
    [`${Array.from({ length: 47 }, () => 'abcd').join('.')}.com`, /_acme-challenge\.<name>, would be 254 characters long.*at most 237/],
    [`*.${Array.from({ length: 47 }, () => 'abcd').join('.')}.com`, /_acme-challenge\.<name without "\*\.">, would be 254 characters/],
  ])('rejects %j', (input, message) => {
    expect(() => normalizeDomain(input)).toThrow(message);
    try {
      normalizeDomain(input);
    } catch (err) {
      expect((err as Error).name).toBe('InvalidDomainError');
    }
  });
});

it('accepts a name of 237 characters, whose _acme-challenge name has exactly 253', () => {
  const name = `${Array.from({ length: 46 }, () => 'abcd').join('.')}.abc.com`;
  expect(name).toHaveLength(237);
  expect(normalizeDomain(`*.${name}`)).toBe(`*.${name}`);
});

describe('normalizeDomains', () => {
  it('splits certbot-style comma lists, removes duplicates and keeps the first name first', () => {
    expect(normalizeDomains(['Example.com,www.example.com', 'EXAMPLE.com.', '*.example.com'])).toEqual([
      'example.com',
      'www.example.com',
      '*.example.com',
    ]);
  });

  it(`allows ${MAX_DOMAINS} names and no more`, () => {
    const names = Array.from({ length: MAX_DOMAINS }, (_, i) => `n${i}.example.com`);
    expect(normalizeDomains(names)).toHaveLength(MAX_DOMAINS);
    expect(() => normalizeDomains([...names, 'one-more.example.com'])).toThrow(/at most 100/);
  });

  it('names the field of a bad entry and rejects an empty list', () => {
    expect(() => normalizeDomains(['ok.example.com', 'x..y'])).toThrow(expect.objectContaining({ field: 'domains[1]' }));
    expect(() => normalizeDomains([' , '])).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'domains' }));
  });
});
