import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLineageSpec, type Endpoint } from '../../../shared/config/index.js';
import { probeLineages, type ServedCertificate } from '../../../shared/probe/index.js';
import { FilesystemCertificateStore } from '../../../shared/store/filesystem/index.js';
import { DAYS_TO_EXPIRY_SERVED, ENDPOINT_STALE, servedMetricsEmf } from '../../../shared/workflow/machines/metrics.js';

const now = new Date('2026-03-01T10:00:00.000Z');
const inDays = (n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();

async function storeWith(lineages: { name: string; endpoints?: string[]; serialHex?: string }[]): Promise<FilesystemCertificateStore> {
  const store = new FilesystemCertificateStore({ configDir: join(await mkdtemp(join(tmpdir(), 'acmeflow-probe-')), 'config') });
  for (const l of lineages) {
    const spec = resolveLineageSpec({
      name: l.name,
      domains: [`${l.name}.example.test`],
      keyType: 'ecdsa-p256',
      ca: { directoryUrl: 'https://ca.example.test/dir' },
      dns: { provider: 'route53' },
      deployDelay: 600,
      ...(l.endpoints ? { endpoints: l.endpoints } : {}),
    });
    const state = l.serialHex
      ? { currentVersion: 1, current: { serialHex: l.serialHex, notBefore: inDays(-30), notAfter: inDays(60), domains: [`${l.name}.example.test`] }, issuedAt: inDays(-30) }
      : { currentVersion: 0 };
    await store.putLineage({ spec, state }, { expectedEtag: null });
  }
  return store;
}

describe('probeLineages', () => {
  it('probes only lineages with endpoints and a certificate, and counts what is alarmed per lineage', async () => {
    const store = await storeWith([
      { name: 'web', endpoints: ['a.web.example.test', 'b.web.example.test:8443'], serialHex: '0a' },
      { name: 'quiet', serialHex: '0b' },
      { name: 'new', endpoints: ['new.example.test'] },
    ]);
    const asked: string[] = [];
    const served: Record<string, ServedCertificate> = {
      'a.web.example.test': { serialHex: '0a', notAfter: inDays(60) },
      'b.web.example.test': { serialHex: '09', notAfter: inDays(10) },
    };
    const probes = await probeLineages({
      store,
      fetchServed: async (e: Endpoint) => {
        asked.push(`${e.host}:${e.port}`);
        return served[e.host] ?? { error: 'unknown' };
      },
      now: () => now,
    });
    expect(asked.sort()).toEqual(['a.web.example.test:443', 'b.web.example.test:8443']);
    expect(probes).toEqual([
      {
        lineage: 'web',
        endpoints: [
          { endpoint: 'a.web.example.test:443', state: 'current', daysToExpiry: 60, expiring: false, alarm: false },
          { endpoint: 'b.web.example.test:8443', state: 'stale', daysToExpiry: 10, expiring: true, alarm: true },
        ],
        endpointsStale: 1,
        daysToExpiryServed: 10,
      },
    ]);
  });

  it('writes EndpointStale always and DaysToExpiryServed when something was read, by lineage', () => {
    const doc = servedMetricsEmf({ lineage: 'web', endpointsStale: 1, daysToExpiryServed: 10, now });
    expect(doc).toMatchObject({ Lineage: 'web', [ENDPOINT_STALE]: 1, [DAYS_TO_EXPIRY_SERVED]: 10 });
    const unread = servedMetricsEmf({ lineage: 'web', endpointsStale: 2, now });
    expect(unread).not.toHaveProperty(DAYS_TO_EXPIRY_SERVED);
    expect(JSON.stringify(unread)).not.toContain(DAYS_TO_EXPIRY_SERVED);
  });
});
