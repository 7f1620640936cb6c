import { createHash } from 'node:crypto';
import { normalizeDnsName } from './dns-name.js';
import type { TxtRecord } from './provider.js';

/** An ACME identifier as in an order (RFC 8555 §9.7.7), or just its value. */
export type DnsIdentifier = string | { readonly type: 'dns'; readonly value: string };

/** The dns-01 record one authorization asks for (RFC 8555 §8.4). Plain JSON: it travels in execution state. */
export interface ChallengeRecord {
  /** `_acme-challenge.<domain>`, the name the CA queries; a wildcard and its apex share it. */
  readonly name: string;
  /**
   * Where the TXT value really has to be written: {@link ChallengeRecord.name} itself, or the end of
   * its CNAME chain once delegation has been resolved (see `resolveDelegation`).
   */
  readonly effectiveName: string;
  /** base64url(SHA-256(keyAuthorization)) without padding (RFC 8555 §8.4). */
  readonly value: string;
}

/** The label the CA prepends to the domain (RFC 8555 §8.4). */
export const ACME_CHALLENGE_LABEL = '_acme-challenge';

/**
 * Compute the TXT record for a dns-01 challenge (RFC 8555 §8.4): the name is `_acme-challenge.`
 * followed by the identifier with any leading `*.` removed, so `*.example.com` and `example.com`
 * land on the same name; the value is the unpadded base64url SHA-256 digest of the key
 * authorization (`token || '.' || base64url(JWK thumbprint)`, RFC 8555 §8.1).
 *
 * The identifier is normalized (A-labels, lower case, no trailing dot). `effectiveName` starts
 * equal to `name`; CNAME delegation replaces it.
 *
 * @example
 * ```ts
 * challengeRecord('*.example.com', 'token.thumbprint')
 * // { name: '_acme-challenge.example.com', effectiveName: '_acme-challenge.example.com', value: '…43 chars…' }
 * ```
 */
export function challengeRecord(identifier: DnsIdentifier, keyAuthorization: string): ChallengeRecord {
  const domain = challengeDomain(identifier);
  const name = `${ACME_CHALLENGE_LABEL}.${domain}`;
  const value = createHash('sha256').update(keyAuthorization, 'utf8').digest('base64url');
  return { name, effectiveName: name, value };
}

/**
 * The domain whose `_acme-challenge` name an identifier uses: normalized, without a leading `*.`
 * (RFC 8555 §8.4: wildcard identifiers are validated at the base domain).
 */
export function challengeDomain(identifier: DnsIdentifier): string {
  const raw = typeof identifier === 'string' ? identifier : identifier.value;
  const domain = normalizeDnsName(raw).replace(/^\*\./, '');
  if (domain === '' || domain.includes('*')) {
    throw new TypeError(`not a dns identifier usable for dns-01: ${JSON.stringify(raw)}`);
  }
  return domain;
}

/**
 * Merge challenge records into the TXT record sets a provider writes: one per effective name, with
 * every distinct value (a wildcard and its apex give one record with two values), in first-seen order.
 *
 * @example
 * ```ts
 * groupRecords([challengeRecord('*.example.com', a), challengeRecord('example.com', b)])
 * // [{ name: '_acme-challenge.example.com', values: [sha(a), sha(b)] }]
 * ```
 */
export function groupRecords(records: readonly ChallengeRecord[], options: { readonly ttl?: number } = {}): TxtRecord[] {
  const byName = new Map<string, string[]>();
  for (const record of records) {
    const name = normalizeDnsName(record.effectiveName);
    const values = byName.get(name) ?? [];
    if (!values.includes(record.value)) values.push(record.value);
    byName.set(name, values);
  }
  return [...byName].map(([name, values]) => (options.ttl === undefined ? { name, values } : { name, values, ttl: options.ttl }));
}
