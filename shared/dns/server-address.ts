import { isIP, isIPv6 } from 'node:net';

/** A DNS server to talk to directly: an address (or host name) and a port. */
export interface DnsServerAddress {
  readonly host: string;
  readonly port: number;
}

const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Parse `host`, `host:port`, `[v6]:port` or a bare IPv6 address into a {@link DnsServerAddress}.
 *
 * @example
 * ```ts
 * parseServerAddress('127.0.0.1:5353') // { host: '127.0.0.1', port: 5353 }
 * parseServerAddress('[::1]:53')       // { host: '::1', port: 53 }
 * ```
 */
export function parseServerAddress(text: string, defaultPort = 53): DnsServerAddress {
  const input = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(input);
  if (bracketed !== null && isIPv6(bracketed[1]!)) return { host: bracketed[1]!, port: parsePort(bracketed[2], defaultPort, text) };
  if (isIPv6(input)) return { host: input, port: defaultPort };
  const hostPort = /^([^:\s]+)(?::(\d+))?$/.exec(input);
  // The host is an IP address or a host name (RFC 1123 §2.1); anything else (`1.2.3.4;x`) would only
  // fail later, at the first query, after an order was placed and records written.
  if (hostPort === null || !(isIP(hostPort[1]!) !== 0 || HOST_NAME.test(hostPort[1]!))) {
    throw new TypeError(`not a DNS server address (host, host:port or [v6]:port): ${JSON.stringify(text)}`);
  }
  return { host: hostPort[1]!, port: parsePort(hostPort[2], defaultPort, text) };
}

/** `host:port`, with brackets around IPv6 addresses; the spelling used in reports and errors. */
export function formatServerAddress(server: DnsServerAddress): string {
  return isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function parsePort(port: string | undefined, defaultPort: number, text: string): number {
  if (port === undefined) return defaultPort;
  const value = Number(port);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new TypeError(`bad port in DNS server address ${JSON.stringify(text)}`);
  return value;
}
