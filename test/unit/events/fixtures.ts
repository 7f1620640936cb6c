import type { AcmeflowEvent, EventDetail } from '../../../shared/events/index.js';

/** Builders of valid events, shared by the event adapter tests. */

export function issuedDetail(lineage = 'example.com', overrides: Partial<EventDetail<'Certificate Issued'>> = {}): EventDetail<'Certificate Issued'> {
  return {
    lineage,
    version: 2,
    domains: [lineage, `www.${lineage}`],
    serialHex: '04a1b2c3d4',
    notBefore: '2025-01-01T00:00:00Z',
    notAfter: '2025-04-01T00:00:00Z',
    location: `/etc/acmeflow/live/${lineage}`,
    keyLocation: `/etc/acmeflow/live/${lineage}/privkey.pem`,
    renewal: true,
    deployDelaySeconds: 600,
    ...overrides,
  };
}

export function issued(lineage = 'example.com', overrides: Partial<EventDetail<'Certificate Issued'>> = {}): AcmeflowEvent {
  return { detailType: 'Certificate Issued', detail: issuedDetail(lineage, overrides) };
}

export function deployable(lineage = 'example.com', overrides: Partial<EventDetail<'Certificate Deployable'>> = {}): AcmeflowEvent {
  const { deployDelaySeconds: _delay, ...facts } = issuedDetail(lineage);
  return { detailType: 'Certificate Deployable', detail: { ...facts, ...overrides } };
}

export function sweep(attempted: number, overrides: Partial<EventDetail<'Renewal Sweep Completed'>> = {}): AcmeflowEvent {
  return { detailType: 'Renewal Sweep Completed', detail: { attempted, renewed: [], failed: [], skipped: 0, dryRun: false, ...overrides } };
}

export function issuanceFailed(lineage = 'example.com', overrides: Partial<EventDetail<'Certificate Issuance Failed'>> = {}): AcmeflowEvent {
  return {
    detailType: 'Certificate Issuance Failed',
    detail: {
      lineage,
      domains: [lineage],
      step: 'PollAuthorizations',
      error: { name: 'AcmeProblemError', message: 'DNS problem: NXDOMAIN looking up TXT for _acme-challenge.example.com' },
      problem: { type: 'urn:ietf:params:acme:error:dns', detail: 'DNS problem', status: 400 },
      explanation: { en: 'The CA could not find the TXT record.', ja: '認証局が TXT レコードを見つけられませんでした。' },
      ...overrides,
    },
  };
}

export function revoked(lineage = 'example.com'): AcmeflowEvent {
  return { detailType: 'Certificate Revoked', detail: { lineage, serialHex: '04a1b2c3d4', reason: 'keyCompromise', revokedAt: '2025-02-01T00:00:00Z' } };
}

/** A PEM private key block the guard must refuse; the base64 is filler, not a key. */
export const PEM_PRIVATE_KEY = ['-----BEGIN EC PRIVATE KEY-----', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '-----END EC PRIVATE KEY-----'].join('\n');
