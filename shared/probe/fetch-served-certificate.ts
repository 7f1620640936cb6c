import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { Endpoint } from '../config/endpoint.js';
import { parseCertificate } from '../crypto/parse-certificate.js';
import type { ServedCertificate } from './served-status.js';

/** @default 10 s: a probe of many endpoints must not hang on one. */
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Connects to an endpoint over TLS, sending the SNI name (RFC 6066 §3: the endpoint's `sni`, else its
 * host unless that is an IP address), and reads the leaf certificate it presents. The chain is not
 * verified: the probe asks which certificate is served, not whether a client would trust it. Never
 * throws: a failure is `{ error }` naming what failed.
 *
 * @example
 * ```ts
 * await fetchServedCertificate({ host: 'www.example.jp', port: 443 }); // { serialHex: '04ab…', notAfter: '2026-06-01T…' }
 * ```
 */
export function fetchServedCertificate(endpoint: Endpoint, options: { readonly timeoutMs?: number } = {}): Promise<ServedCertificate> {
  const servername = endpoint.sni ?? (isIP(endpoint.host) ? undefined : endpoint.host);
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ServedCertificate) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    const socket = connect({ host: endpoint.host, port: endpoint.port, ...(servername ? { servername } : {}), rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      const raw = socket.getPeerCertificate().raw;
      if (!raw || raw.length === 0) return done({ error: 'the server presented no certificate' });
      try {
        const info = parseCertificate(new Uint8Array(raw));
        done({ serialHex: info.serialHex, notAfter: info.notAfter });
      } catch (err) {
        done({ error: `the served certificate could not be read: ${(err as Error).message}` });
      }
    });
    socket.setTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => done({ error: `no TLS handshake within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` }));
    socket.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ? `${err.code}: ${err.message}` : err.message }));
  });
}
