import { describe, expect, it } from 'vitest';
import { formatServerAddress, parseServerAddress } from '../../../shared/dns/server-address.js';

describe('parseServerAddress', () => {
  it.each([
    ['192.0.2.1', { host: '192.0.2.1', port: 53 }],
    ['192.0.2.1:5353', { host: '192.0.2.1', port: 5353 }],
    ['ns1.example.test:53', { host: 'ns1.example.test', port: 53 }],
    ['2001:db8::1', { host: '2001:db8::1', port: 53 }],
    ['[2001:db8::1]:5353', { host: '2001:db8::1', port: 5353 }],
  ])('parses %s', (text, expected) => {
    expect(parseServerAddress(text)).toEqual(expected);
  });

  it('rejects bad ports and garbage', () => {
    expect(() => parseServerAddress('192.0.2.1:0')).toThrow(TypeError);
    expect(() => parseServerAddress('192.0.2.1:70000')).toThrow(TypeError);
    expect(() => parseServerAddress('a b')).toThrow(TypeError);
  });

  it('formats back with brackets for IPv6', () => {
    expect(formatServerAddress({ host: '2001:db8::1', port: 53 })).toBe('[2001:db8::1]:53');
    expect(formatServerAddress({ host: '192.0.2.1', port: 53 })).toBe('192.0.2.1:53');
  });
});
