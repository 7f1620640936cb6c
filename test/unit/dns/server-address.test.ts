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

describe('parseServerAddress refuses hosts that are no address or host name', () => {
  it.each(['1.2.3.4;x', 'ns1 .example', 'a/b:53', '[not-v6]:53', '-ns.example'])('%j', (text) => {
    expect(() => parseServerAddress(text)).toThrow(/not a DNS server address/);
  });
  it('accepts host names, with or without a port', () => {
    expect(parseServerAddress('ns1.example.test:5353')).toEqual({ host: 'ns1.example.test', port: 5353 });
    expect(parseServerAddress('localhost')).toEqual({ host: 'localhost', port: 53 });
  });
});
