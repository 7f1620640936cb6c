/**
 * Expiry warnings without the CA's mail: `certificates` marks what is within its renewal
 * threshold, and `renew` warns about lineages it could not renew that expire within 7 days.
 */
import { describe, expect, it } from 'vitest';
import { parseVerbArgs } from '../../../../cli/args.js';
import type { CertificateRow, RenewOutcome } from '../../../../cli/backend/index.js';
import { certificateRows } from '../../../../cli/backend/certificate-rows.js';
import { printCertificates } from '../../../../cli/commands/certificates.js';
import { expiryWarnings } from '../../../../cli/commands/expiry-warnings.js';
import { renew } from '../../../../cli/commands/renew.js';
import { Output } from '../../../../cli/output.js';
import { resolveLineageSpec } from '../../../../shared/config/index.js';
import type { Lineage } from '../../../../shared/store/index.js';
import { FakeBackend } from '../backend/fake-backend.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-08T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function lineage(name: string, lifetimeDays: number, leftDays: number, extra: { preset?: string } = {}): Lineage {
  const notAfter = NOW + leftDays * DAY;
  return {
    spec: resolveLineageSpec({
      name,
      domains: [`${name}.example.test`],
      keyType: 'ecdsa-p256',
      ca: extra.preset ? { preset: extra.preset, eabRef: 'x' } : { directoryUrl: 'https://ca.example/dir' },
      dns: { provider: 'route53' },
    }),
    state: { currentVersion: 1, current: { serialHex: '01', notBefore: iso(notAfter - lifetimeDays * DAY), notAfter: iso(notAfter), domains: [`${name}.example.test`] } },
  };
}

async function rows(lineages: Lineage[]): Promise<CertificateRow[]> {
  const byName = new Map(lineages.map((l) => [l.spec.name, l]));
  return certificateRows(
    {
      store: { getLineage: async (name) => (byName.has(name) ? { lineage: byName.get(name)!, etag: '1' } : undefined) },
      names: [...byName.keys()],
      certificatePath: (n) => `/etc/acmeflow/live/${n}/fullchain.pem`,
      privateKeyPath: (n) => `/etc/acmeflow/live/${n}/privkey.pem`,
      concurrency: 1,
    },
    NOW,
  );
}

function output() {
  const text = { out: '', err: '' };
  return { text, out: new Output({ write: (s: string) => (text.out += s) }, { write: (s: string) => (text.err += s) }, { LANG: 'C' }) };
}

describe('acmeflow certificates marks what is within its renewal threshold', () => {
  it('by each lineage\u2019s own threshold: one third of 90 days, half of 6 days, the JPRS preset\u2019s 30 days', async () => {
    const listed = await rows([
      lineage('due90', 90, 29),
      lineage('fresh90', 90, 31),
      lineage('due6', 6, 2.9),
      lineage('fresh6', 6, 3.1),
      lineage('jprs', 200, 29, { preset: 'jprs' }),
      lineage('jprsfresh', 200, 31, { preset: 'jprs' }),
    ]);
    const due = Object.fromEntries(listed.map((r) => [r.name, 'renewalDue' in r ? r.renewalDue : undefined]));
    expect(due).toEqual({ due90: true, fresh90: false, due6: true, fresh6: false, jprs: true, jprsfresh: false });
    const fresh = listed.find((r) => r.name === 'fresh90') as Extract<CertificateRow, { renewAt?: string }>;
    expect(fresh.renewAt).toBe(iso(NOW + DAY));

    const { text, out } = output();
    printCertificates(out, { where: { configDir: '/etc/acmeflow' }, place: '/etc/acmeflow', rows: listed }, { json: false });
    const marked = text.out
      .split('  Certificate Name: ')
      .filter((block) => block.includes('Renewal: DUE'))
      .map((block) => block.split('\n')[0]);
    expect(marked).toEqual(['due90', 'due6', 'jprs']);
  });
});

describe('acmeflow renew warns about what it could not renew and expires within 7 days', () => {
  const failed = (lineageName: string, leftMs: number) => ({
    lineage: lineageName,
    status: 'failed' as const,
    notAfter: iso(NOW + leftMs),
    error: { name: 'DnsPropagationTimeoutError', message: 'TXT values still missing' },
  });

  it('expiryWarnings: within 7 days (in days, or in hours on the last day), expired, and nothing for later or for renewed ones', () => {
    expect(
      expiryWarnings(
        [
          failed('soon', 2.5 * DAY),
          failed('today', 5 * 3_600_000),
          failed('gone', -DAY),
          failed('later', 8 * DAY),
          { lineage: 'ok', status: 'succeeded', notAfter: iso(NOW + DAY) },
        ],
        NOW,
      ),
    ).toEqual([
      'Warning: soon could not be renewed and its certificate expires on 2026-12-10 (in 2 days).',
      'Warning: today could not be renewed and its certificate expires on 2026-12-08 (in 5 hours).',
      'Warning: gone could not be renewed and its certificate expired on 2026-12-07.',
    ]);
  });

  it('renew prints the warning after the failure summary, before each failure\u2019s explanation', async () => {
    const soon = failed('example.com', 3 * DAY + 1000);
    // The printer uses the real clock: place the expiry relative to it.
    const now = Date.now();
    const result = { ...soon, notAfter: iso(now + 3 * DAY + 60_000) };
    const outcome: RenewOutcome = { status: 'SUCCEEDED', dryRun: false, attempted: 1, renewed: [], failed: ['example.com'], skipped: 0, results: [result], notDue: [], json: {} };
    const { text, out } = output();
    const { values } = parseVerbArgs('renew', [], renew.options);
    const code = await renew.run(values, new FakeBackend({ renew: outcome }), {
      env: { LANG: 'C' },
      out,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    expect(code).toBe(1);
    const lines = text.err.split('\n');
    expect(lines[0]).toBe('1 renewal(s) failed: example.com');
    expect(lines[1]).toBe(`Warning: example.com could not be renewed and its certificate expires on ${result.notAfter.slice(0, 10)} (in 3 days).`);
    expect(text.err.trimEnd().split('\n').at(-1)).toBe('  More: acmeflow explain DnsPropagationTimeoutError');
  });
});
