import { domainToASCII } from 'node:url';
import { ACME_CHALLENGE_LABEL } from '../dns/challenge-record.js';
import { InvalidDomainError, ConfigError } from './errors.js';

/** RFC 8555 §7.1.3 leaves the limit to the CA; Let's Encrypt and most CAs allow 100 names. */
export const MAX_DOMAINS = 100;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Normalises one DNS name for an order: lower case, IDN to punycode (RFC 5891 A-labels), trailing
 * dot removed; checks label and name lengths (RFC 1035 §2.3.4), a wildcard only as the whole
 * leftmost label (RFC 8555 §7.1.3), no IP addresses (acmeflow validates with dns-01 only).
 *
 * @example
 * normalizeDomain('Www.Bücher.example.') // → 'www.xn--bcher-kva.example'
 */
export function normalizeDomain(input: string, field?: string): string {
  const raw = input.trim();
  if (raw === '') throw new InvalidDomainError(input, 'the name is empty', field);
  let name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':')) {
    throw new InvalidDomainError(input, 'IP addresses cannot be validated with dns-01; use a DNS name', field);
  }
  let wildcard = false;
  if (name.startsWith('*.')) {
    wildcard = true;
    name = name.slice(2);
  }
  if (name.includes('*')) {
    throw new InvalidDomainError(input, 'a wildcard may only be the whole leftmost label, as in "*.example.com"', field);
  }
  if (name.split('.').some((l) => l === '')) throw new InvalidDomainError(input, 'it has an empty label (two dots in a row, or a leading dot)', field);
  const lower = name.toLowerCase();
  // Only names with non-ASCII characters go through IDNA (RFC 5891); ASCII names are checked label
  // by label below, which gives a precise message instead of the WHATWG parser's bare failure.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, NUL included.
  const ascii = /^[\x00-\x7f]*$/.test(lower) ? lower : domainToASCII(lower);
  if (ascii === '') throw new InvalidDomainError(input, 'it is not a valid internationalised domain name', field);
  const labels = ascii.split('.');
  if (labels.length < 2) throw new InvalidDomainError(input, 'a certificate name needs at least two labels, like "example.com"', field);
  for (const label of labels) {
    if (!LABEL.test(label)) {
      throw new InvalidDomainError(
        input,
        label.length > 63
          ? `the label "${label.slice(0, 20)}…" is longer than 63 characters`
          : `the label "${label}" may hold only letters, digits and inner hyphens`,
        field,
      );
    }
  }
  if (/^\d+$/.test(labels.at(-1) as string)) throw new InvalidDomainError(input, 'the top-level label cannot be all digits', field);
  const result = `${wildcard ? '*.' : ''}${ascii}`;
  // 253 characters of text is the 255-octet wire limit of RFC 1035 §3.1 without the root label.
  if (result.length > 253) throw new InvalidDomainError(input, `the name is ${result.length} characters long; the limit is 253`, field);
  // The CA looks the name up as `_acme-challenge.<name>` (RFC 8555 §8.4; a wildcard's base name), and
  // that name must fit the same limit: past it no TXT record can exist, so refuse it before an order.
  const challengeName = `${ACME_CHALLENGE_LABEL}.${ascii}`;
  if (challengeName.length > 253) {
    throw new InvalidDomainError(
      input,
      `its dns-01 record name, ${ACME_CHALLENGE_LABEL}.${wildcard ? '<name without "*.">' : '<name>'}, would be ${challengeName.length} characters long, and DNS allows 253 (RFC 1035 §3.1); acmeflow validates with dns-01 only, so the name may have at most ${253 - ACME_CHALLENGE_LABEL.length - 1} characters${wildcard ? ' after "*."' : ''}`,
      field,
    );
  }
  return result;
}

/**
 * Normalises a list of names: each as {@link normalizeDomain}, duplicates removed (first one kept,
 * since the first name names the lineage), at most {@link MAX_DOMAINS}.
 * Accepts certbot's comma-separated form inside any element (`-d a.example,b.example`).
 */
export function normalizeDomains(inputs: readonly string[]): string[] {
  const split = inputs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (split.length === 0) throw new ConfigError('No domain names were given. Name at least one with -d example.com.', { field: 'domains' });
  const out: string[] = [];
  split.forEach((d, i) => {
    const n = normalizeDomain(d, `domains[${i}]`);
    if (!out.includes(n)) out.push(n);
  });
  if (out.length > MAX_DOMAINS) {
    throw new ConfigError(`${out.length} names were given; a certificate may hold at most ${MAX_DOMAINS}. Split them over several certificates.`, {
      field: 'domains',
    });
  }
  return out;
}
