// A namespace import lets esbuild drop zod's locales from the Lambda bundle.
import * as z from 'zod';

/** Where a certificate is served: a TLS listener and the name (SNI, RFC 6066 §3) to ask it for. */
export interface Endpoint {
  readonly host: string;
  /** @default 443 */
  readonly port: number;
  /** The server name sent in the TLS handshake. @default the host, unless it is an IP address (RFC 6066 §3 forbids literal addresses) */
  readonly sni?: string;
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+|[0-9A-Fa-f:]+)$/;

/** `host`, `host:port`, `[v6]`, `[v6]:port` → host and port; undefined when it is none of these. */
function parseHostPort(text: string): { host: string; port: number } | undefined {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] === undefined ? 443 : Number(bracketed[2]) };
  const named = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text);
  if (named) return { host: named[1] as string, port: named[2] === undefined ? 443 : Number(named[2]) };
  return undefined;
}

const portSchema = z.number().int().min(1).max(65_535);

/**
 * One endpoint as a lineage spec lists it: `'host[:port]'` (`'[::1]:8443'` for IPv6) or
 * `{ host, port?, sni? }`; normalised once, here, to {@link Endpoint}.
 *
 * @example
 * ```ts
 * endpointSchema.parse('www.example.jp:8443'); // { host: 'www.example.jp', port: 8443 }
 * endpointSchema.parse({ host: '192.0.2.10', sni: 'www.example.jp' }); // { host: '192.0.2.10', port: 443, sni: 'www.example.jp' }
 * ```
 */
export const endpointSchema = z.union([
  z.string().transform((text, ctx): Endpoint => {
    const parsed = parseHostPort(text.trim());
    if (!parsed || !portSchema.safeParse(parsed.port).success) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not host[:port] (IPv6 as [address]:port)` });
      return z.NEVER;
    }
    return parsed;
  }),
  z
    .object({ host: z.string().regex(HOST, 'a host name or an IP address'), port: portSchema.default(443), sni: z.string().min(1).optional() })
    .strict()
    .transform((e): Endpoint => ({ host: e.host.replace(/^\[(.*)\]$/, '$1'), port: e.port, ...(e.sni ? { sni: e.sni } : {}) })),
]);

/** `host:port` (`[v6]:port`), how an endpoint is named in output and metrics. */
export function endpointLabel(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}${endpoint.sni && endpoint.sni !== endpoint.host ? ` (SNI ${endpoint.sni})` : ''}`;
}
