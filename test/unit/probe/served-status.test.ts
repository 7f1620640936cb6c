import { describe, expect, it } from 'vitest';
import { endpointLabel, endpointSchema } from '../../../shared/config/index.js';
import { SERVED_GRACE_SECONDS, servedStatus } from '../../../shared/probe/index.js';

const storedAt = '2026-03-01T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(storedAt) + seconds * 1000);
const days = (n: number) => new Date(Date.parse(storedAt) + n * 86_400_000).toISOString();
const state = {
  current: { serialHex: '00ab12' },
  issuedAt: storedAt,
  announced: { version: 3, issued: true, deployable: true, deployableAt: at(600).toISOString() },
};

describe('servedStatus', () => {
  it('is current when the served serial is the current one (as numbers: case and a DER sign byte do not matter)', () => {
    expect(servedStatus({ served: { serialHex: 'AB12', notAfter: days(60) }, state, deployDelaySeconds: 600, now: at(0) })).toEqual({
      state: 'current',
      daysToExpiry: 60,
      expiring: false,
      alarm: false,
    });
  });

  it('an older certificate is switching within the deploy delay and the grace, then stale (alarmed)', () => {
    const served = { serialHex: '99', notAfter: days(30) };
    expect(servedStatus({ served, state, deployDelaySeconds: 600, now: at(600 + SERVED_GRACE_SECONDS - 1) })).toMatchObject({ state: 'switching', alarm: false });
    expect(servedStatus({ served, state, deployDelaySeconds: 600, now: at(600 + SERVED_GRACE_SECONDS) })).toMatchObject({ state: 'stale', alarm: true });
  });

  it('alarms a served certificate with fewer than 14 days left, even the current one', () => {
    expect(servedStatus({ served: { serialHex: 'ab12', notAfter: days(13.9) }, state, deployDelaySeconds: 0, now: at(0) })).toMatchObject({
      state: 'current',
      expiring: true,
      alarm: true,
    });
  });

  it('an endpoint that answers with no certificate is unreachable and alarmed', () => {
    expect(servedStatus({ served: { error: 'ECONNREFUSED' }, state, deployDelaySeconds: 0, now: at(0) })).toEqual({ state: 'unreachable', expiring: false, alarm: true });
  });
});

describe('endpointSchema', () => {
  it('reads host[:port], [v6]:port and { host, port, sni }, port 443 by default', () => {
    expect(endpointSchema.parse('www.example.jp')).toEqual({ host: 'www.example.jp', port: 443 });
    expect(endpointSchema.parse('www.example.jp:8443')).toEqual({ host: 'www.example.jp', port: 8443 });
    expect(endpointSchema.parse('[2001:db8::1]:8443')).toEqual({ host: '2001:db8::1', port: 8443 });
    expect(endpointSchema.parse({ host: '192.0.2.10', sni: 'www.example.jp' })).toEqual({ host: '192.0.2.10', port: 443, sni: 'www.example.jp' });
    expect(endpointLabel({ host: '2001:db8::1', port: 8443 })).toBe('[2001:db8::1]:8443');
  });

  it('refuses what is not an endpoint', () => {
    for (const bad of ['www.example.jp:0', 'www.example.jp:70000', 'https://www.example.jp/', '', { host: 'a b' }, { host: 'x', port: 443, path: '/' }]) {
      expect(endpointSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
