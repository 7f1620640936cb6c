import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTlsMaterial, type TlsMaterial } from '../../../harness/tls.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { fetchServedCertificate } from '../../../shared/probe/index.js';

/** A real TLS listener on localhost serving `default`, and `bySni[name]` to clients that ask for that name. */
async function listen(defaultTls: TlsMaterial, bySni: Record<string, TlsMaterial> = {}): Promise<{ server: Server; port: number }> {
  const context = async (m: TlsMaterial) => ({ cert: await readFile(m.certPath, 'utf8'), key: await readFile(m.keyPath, 'utf8') });
  const contexts = Object.fromEntries(await Promise.all(Object.entries(bySni).map(async ([name, m]) => [name, await context(m)] as const)));
  const server = createServer({
    ...(await context(defaultTls)),
    SNICallback: (name, cb) => {
      const chosen = contexts[name];
      cb(null, chosen ? createSecureContext(chosen) : undefined);
    },
  });
  server.on('secureConnection', (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

let plain: TlsMaterial;
let other: TlsMaterial;
let served: { server: Server; port: number };

beforeAll(async () => {
  [plain, other] = await Promise.all([createTlsMaterial(), createTlsMaterial({ hosts: ['www.example.test'] })]);
  served = await listen(plain, { 'www.example.test': other });
});
afterAll(() => served?.server.close());

describe('fetchServedCertificate against a real TLS server', () => {
  it('reads the leaf the server presents, by SNI name', async () => {
    const byDefault = await fetchServedCertificate({ host: '127.0.0.1', port: served.port });
    expect(byDefault).toEqual({ serialHex: parseCertificate(plain.certPem).serialHex, notAfter: parseCertificate(plain.certPem).notAfter });
    const bySni = await fetchServedCertificate({ host: '127.0.0.1', port: served.port, sni: 'www.example.test' });
    expect(bySni).toEqual({ serialHex: parseCertificate(other.certPem).serialHex, notAfter: parseCertificate(other.certPem).notAfter });
  });

  it('answers { error } for a port nobody listens on, and never throws', async () => {
    const closed = await listen(plain);
    const port = closed.port;
    await new Promise((resolve) => closed.server.close(resolve));
    const result = await fetchServedCertificate({ host: '127.0.0.1', port }, { timeoutMs: 2000 });
    expect(result).toEqual({ error: expect.stringContaining('ECONNREFUSED') });
  });
});
