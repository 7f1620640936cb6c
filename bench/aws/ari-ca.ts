/**
 * A stand-in for a CA's ACME Renewal Information endpoint (RFC 9773), on loopback over HTTPS (ACME is
 * HTTPS only, RFC 8555 §6.1, and the ACME layer refuses anything else) with a CA of its own, which a
 * client trusts through `caCertPath` (the planning child gets it as NODE_EXTRA_CA_CERTS):
 * `GET /dir` (a directory with `renewalInfo`) and `GET /renewal-info/<certId>` answering a window
 * three weeks ahead with `Retry-After: 21600` (Let's Encrypt's six hours), each answer held back by
 * `latencyMs` to stand for the round trip to a real CA. It serves only what the sweep's planning reads.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTlsMaterial } from '../../harness/tls.js';

export interface AriCa {
  readonly directoryUrl: string;
  /** PEM file of the CA that signed the server's certificate. */
  readonly caCertPath: string;
  /** Requests answered so far, by first path segment. */
  readonly requests: Map<string, number>;
  /** Changes the per-request delay (ms). */
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

export async function startAriCa(latencyMs: number): Promise<AriCa> {
  let latency = latencyMs;
  const requests = new Map<string, number>();
  let base = '';
  const tls = await createTlsMaterial({ hosts: ['127.0.0.1'] });
  const server = https.createServer({ cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) }, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const segment = path.split('/')[1] ?? '';
    requests.set(segment, (requests.get(segment) ?? 0) + 1);
    const answer = () => {
      if (path === '/dir') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ newNonce: `${base}/nonce`, newAccount: `${base}/account`, newOrder: `${base}/order`, renewalInfo: `${base}/renewal-info` }));
        return;
      }
      if (segment === 'renewal-info') {
        const start = Date.now() + 20 * 86_400_000;
        res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '21600' });
        res.end(JSON.stringify({ suggestedWindow: { start: new Date(start).toISOString(), end: new Date(start + 2 * 86_400_000).toISOString() } }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'not served by the ARI stand-in' }));
    };
    if (latency > 0) setTimeout(answer, latency);
    else answer();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    directoryUrl: `${base}/dir`,
    caCertPath: tls.caCertPath,
    requests,
    setLatency: (ms) => {
      latency = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
