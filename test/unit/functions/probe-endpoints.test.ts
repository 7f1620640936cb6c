import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/probe-endpoints/handler.js';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import type { Lineage } from '../../../shared/store/index.js';

const now = new Date('2026-03-01T10:00:00.000Z');
const lineage: Lineage = {
  spec: resolveLineageSpec({
    name: 'web',
    domains: ['web.example.test'],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: 'https://ca.example.test/dir' },
    dns: { provider: 'route53' },
    endpoints: ['web.example.test'],
  }),
  state: {
    currentVersion: 2,
    current: { serialHex: '0a', notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-06-01T00:00:00Z', domains: ['web.example.test'] },
    issuedAt: '2026-01-01T00:00:00Z',
  },
};

describe('the probe function', () => {
  it('writes one EMF line per lineage with endpoints (EndpointStale, DaysToExpiryServed) and returns the results', async () => {
    const lines: string[] = [];
    const probe = makeHandler(async () => ({
      store: { listLineages: async () => ({ names: ['web'] }), getLineage: async () => ({ lineage, etag: '"1"' }) },
      fetchServed: async () => ({ serialHex: '09', notAfter: '2026-03-08T10:00:00.000Z' }),
      now: () => now,
      write: (line) => lines.push(line),
    }));
    const result = await probe();
    expect(result).toMatchObject({ lineages: 1, endpointsStale: 1 });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([expect.objectContaining({ Lineage: 'web', EndpointStale: 1, DaysToExpiryServed: 7 })]);
  });
});
