import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';

/** Options of {@link encodeQuery}. */
export interface EncodeQueryOptions {
  /** Message ID; random by default (RFC 5452 §9.2: unpredictable IDs resist spoofing). */
  readonly id?: number;
  /** Recursion Desired (RFC 1035 §4.1.1). Off by default: these queries go to authoritative servers. */
  readonly recursionDesired?: boolean;
  /** EDNS(0) UDP payload size to advertise (RFC 6891 §6.2.3); `0` sends no OPT record. @default 1232 */
  readonly ednsPayload?: number;
  /**
   * Checking Disabled (RFC 4035 §3.2.2): a validating resolver answers even when the data does not
   * validate, instead of SERVFAIL — how to look at a zone whose DNSSEC is broken. Off by default.
   */
  readonly checkingDisabled?: boolean;
}

/**
 * Encode a one-question DNS query (RFC 1035 §4.1) as the DNS layer sends it to authoritative servers:
 * random ID, RD clear, EDNS(0) with a 1232-octet payload (DNS Flag Day 2020).
 *
 * @example
 * ```ts
 * const query = encodeQuery('_acme-challenge.example.com', 'TXT');
 * const response = await udpTcpTransport.exchange(server, query, { timeoutMs: 2000 });
 * ```
 */
export function encodeQuery(name: string, type: dnsPacket.RecordType, options: EncodeQueryOptions = {}): Buffer {
  const ednsPayload = options.ednsPayload ?? 1232;
  return dnsPacket.encode({
    type: 'query',
    id: options.id ?? randomInt(0, 0x10000),
    flags: (options.recursionDesired === true ? dnsPacket.RECURSION_DESIRED : 0) | (options.checkingDisabled === true ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ type, class: 'IN', name }],
    additionals:
      ednsPayload === 0
        ? []
        : [{ type: 'OPT', name: '.', udpPayloadSize: ednsPayload, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}

/** Response codes (RFC 1035 §4.1.1, RFC 2136 §2.2) by value, for the 4-bit RCODE of a header. */
export const RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
};

/** The 4-bit header RCODE of a DNS message (RFC 1035 §4.1.1); `dns-packet` types do not expose it. */
export function headerRcode(message: Uint8Array): number {
  return message[3]! & 0x0f;
}
