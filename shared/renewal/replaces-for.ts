import type { LineageState } from '../store/index.js';

/** RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(serial), no padding. */
const ARI_CERTIFICATE_ID = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The `replaces` value for the next newOrder of this lineage (RFC 9773 §5): the ARI certificate
 * identifier of the current certificate, or undefined when none should be sent.
 *
 * Undefined when the CA's directory has no `renewalInfo` (RFC 9773 §5: clients SHOULD NOT send
 * `replaces` then), when there is no current certificate or no (well-formed) identifier for it, and,
 * when `domains` is given, when the new order shares no identifier with the current certificate
 * (the CA would reject it: RFC 9773 §5 has servers check that they share at least one).
 *
 * @example
 * replacesFor(lineage.state, Boolean(directory.renewalInfo), lineage.spec.domains)
 * // → 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE'
 */
export function replacesFor(state: LineageState, directoryHasRenewalInfo: boolean, domains?: readonly string[]): string | undefined {
  if (!directoryHasRenewalInfo) return undefined;
  const current = state.currentVersion > 0 ? state.current : undefined;
  const id = current?.ariCertificateId;
  if (!current || !id || !ARI_CERTIFICATE_ID.test(id)) return undefined;
  if (domains !== undefined) {
    const old = new Set(current.domains.map((d) => d.toLowerCase()));
    if (!domains.some((d) => old.has(d.toLowerCase()))) return undefined;
  }
  return id;
}

/**
 * Whether the next newOrder carries `replaces` ({@link replacesFor} gives the value).
 *
 * @example
 * shouldSendReplaces({ currentVersion: 0 }, true) // → false
 */
export function shouldSendReplaces(state: LineageState, directoryHasRenewalInfo: boolean, domains?: readonly string[]): boolean {
  return replacesFor(state, directoryHasRenewalInfo, domains) !== undefined;
}
