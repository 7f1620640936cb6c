import { describe, expect, it } from 'vitest';
import { DnsError, DnsPropagationTimeoutError, DnsQueryTimeoutError } from '../../../shared/dns/errors.js';

describe('DnsError', () => {
  it('names the record, the zone and the fix, and keeps them as fields', () => {
    const cause = new Error('socket hang up');
    const error = new DnsError('the server refused the update', {
      record: '_acme-challenge.example.com',
      zone: 'example.com',
      fix: 'grant the key TXT updates',
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DnsError');
    expect(error.message).toBe('the server refused the update (record _acme-challenge.example.com, zone example.com). Fix: grant the key TXT updates');
    expect(error).toMatchObject({ record: '_acme-challenge.example.com', zone: 'example.com', fix: 'grant the key TXT updates', cause });
  });

  it('leaves out what it does not know', () => {
    expect(new DnsError('plain').message).toBe('plain');
    expect(new DnsError('no zone', { record: 'a.test' }).message).toBe('no zone (record a.test)');
    expect('cause' in new DnsError('plain')).toBe(false);
  });

  it('subclasses carry literal names that survive minification', () => {
    expect(new DnsQueryTimeoutError('192.0.2.1:53', 2000).name).toBe('DnsQueryTimeoutError');
    const timeout = new DnsPropagationTimeoutError([{ name: '_acme-challenge.a.test', value: 'v', server: '192.0.2.1:53', reason: 'absent' }], { zone: 'a.test' });
    expect(timeout).toMatchObject({ name: 'DnsPropagationTimeoutError', record: '_acme-challenge.a.test', zone: 'a.test' });
    expect(timeout.message).toContain('192.0.2.1:53');
  });
});
