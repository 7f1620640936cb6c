/**
 * The HTTP transports against real local servers: what `nodeHttpTransport` sends and
 * reads, how it fails (timeout, refused, untrusted TLS, a body cut off), its single resend on a
 * kept-alive connection the server had closed, and that `fetchTransport` reads the same answers.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchTransport, nodeHttpTransport, type HttpTransport } from '../../../shared/http/index.js';
import { freePort } from '../../../harness/ports.js';
import { streamFiller } from '../../../harness/stream-filler.js';
import { createTlsMaterial, type TlsMaterial } from '../../../harness/tls.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's port: one per connection. */
  port: number | undefined;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), port: req.socket.remotePort });
      switch (req.url) {
        case '/links':
          // Two Link headers (RFC 8288); the reader joins them as fetch's Headers does.
          res.setHeader('link', ['<https://ca.example/dir>;rel="index"', '<https://ca.example/alt/1>;rel="alternate"']);
          res.setHeader('replay-nonce', 'n1');
          res.end('{"ok":true,"text":"Grüße"}');
          return;
        case '/redirect':
          res.writeHead(302, { location: '/elsewhere' });
          res.end();
          return;
        case '/slow-headers':
          setTimeout(() => res.end('late'), 2_000).unref();
          return;
        case '/slow-body':
          res.writeHead(200, { 'content-length': '10' });
          res.write('12345');
          setTimeout(() => res.end('67890'), 2_000).unref();
          return;
        case '/endless': {
          // No Content-Length: the cap must hold while reading, not only on the announced length.
          res.writeHead(200, { 'content-type': 'application/json' });
          streamFiller(res, 64 * 1024 * 1024, 16 * 1024);
          return;
        }
        case '/announced':
          res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
          res.write('x');
          setTimeout(() => req.socket.destroy(), 200);
          return;
        case '/cut-body':
          res.writeHead(200, { 'content-length': '100' });
          res.write('partial');
          setTimeout(() => req.socket.destroy(), 20);
          return;
        default:
          res.writeHead(req.url === '/problem' ? 400 : 200, { 'content-type': 'application/json' });
          res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ path: req.url }));
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const transports: [string, () => HttpTransport][] = [
  ['nodeHttpTransport', () => nodeHttpTransport()],
  ['fetchTransport', () => fetchTransport((input, init) => fetch(input, init))],
];

describe.each(transports)('%s', (_name, make) => {
  const send = make();

  it('sends method, headers and body, and reads status, headers (repeated ones joined) and a UTF-8 body', async () => {
    const res = await send({ method: 'POST', url: `${base}/links`, headers: { 'content-type': 'application/jose+json', 'user-agent': 'acmeflow-test' }, body: '{"p":"ü"}', timeoutMs: 2_000 });
    const request = seen.at(-1) as Seen;
    expect(request).toMatchObject({ method: 'POST', url: '/links', body: '{"p":"ü"}' });
    expect(request.headers['content-type']).toBe('application/jose+json');
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength('{"p":"ü"}')));
    expect(request.headers['user-agent']).toBe('acmeflow-test');
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"ok":true,"text":"Grüße"}');
    expect(res.headers.get('Replay-Nonce')).toBe('n1');
    expect(res.headers.get('link')).toBe('<https://ca.example/dir>;rel="index", <https://ca.example/alt/1>;rel="alternate"');
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('answers HEAD with an empty body and does not follow redirects', async () => {
    expect(await send({ method: 'HEAD', url: `${base}/nonce`, headers: {}, timeoutMs: 2_000 })).toMatchObject({ status: 200, body: '' });
    const redirect = await send({ method: 'GET', url: `${base}/redirect`, headers: {}, timeoutMs: 2_000 });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/elsewhere');
    expect(seen.some((s) => s.url === '/elsewhere')).toBe(false);
  });

  it('returns error statuses as answers, not failures', async () => {
    expect(await send({ method: 'GET', url: `${base}/problem`, headers: {}, timeoutMs: 2_000 })).toMatchObject({ status: 400, body: '{"path":"/problem"}' });
  });

  it('fails with a TimeoutError when the headers, or the rest of the body, come too late', async () => {
    await expect(send({ method: 'GET', url: `${base}/slow-headers`, headers: {}, timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(send({ method: 'GET', url: `${base}/slow-body`, headers: {}, timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('stops reading past maxBodyBytes with HttpResponseTooLargeError, announced or streamed', async () => {
    await expect(send({ method: 'GET', url: `${base}/endless`, headers: {}, timeoutMs: 10_000, maxBodyBytes: 100_000 })).rejects.toMatchObject({
      name: 'HttpResponseTooLargeError',
      limitBytes: 100_000,
    });
    await expect(send({ method: 'GET', url: `${base}/announced`, headers: {}, timeoutMs: 10_000, maxBodyBytes: 1000 })).rejects.toMatchObject({ name: 'HttpResponseTooLargeError' });
    // Under the cap, the answer is read as usual.
    expect((await send({ method: 'GET', url: `${base}/links`, headers: {}, timeoutMs: 2_000, maxBodyBytes: 1000 })).body).toBe('{"ok":true,"text":"Grüße"}');
  });

  it('fails when the connection is refused', async () => {
    await expect(send({ method: 'GET', url: `http://127.0.0.1:${await freePort()}/x`, headers: {}, timeoutMs: 2_000 })).rejects.toBeTruthy();
  });
});

describe('nodeHttpTransport', () => {
  it('rejects a body cut off by a reset connection (never resends a request that had an answer)', async () => {
    const send = nodeHttpTransport();
    const before = seen.filter((s) => s.url === '/cut-body').length;
    await expect(send({ method: 'GET', url: `${base}/cut-body`, headers: {}, timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen.filter((s) => s.url === '/cut-body').length - before).toBe(1);
  });

  it('keeps connections alive, and resends on a fresh one when the server had closed the idle ones', async () => {
    const send = nodeHttpTransport();
    await send({ method: 'GET', url: `${base}/one`, headers: {}, timeoutMs: 2_000 });
    const first = seen.at(-1) as Seen;
    await send({ method: 'GET', url: `${base}/two`, headers: {}, timeoutMs: 2_000 });
    expect((seen.at(-1) as Seen).port).toBe(first.port); // the second request came on the kept-alive connection
    expect(first.headers.connection).toBe('keep-alive');
    // Three requests at once leave three idle connections in the pool.
    await Promise.all(['/a', '/b', '/c'].map((p) => send({ method: 'GET', url: `${base}${p}`, headers: {}, timeoutMs: 2_000 })));
    const pooled = new Set(seen.slice(-3).map((s) => s.port));
    expect(pooled.size).toBe(3);
    // A frozen Lambda wakes up with connections the other side reset and that it has not noticed yet:
    // reset every idle one and send in the same tick, before the client's event loop sees the resets.
    const count = seen.length;
    const requests = vi.spyOn(http, 'request');
    for (const s of sockets) s.resetAndDestroy();
    const res = await send({ method: 'POST', url: `${base}/after-reset`, headers: {}, body: 'x', timeoutMs: 2_000 });
    expect(res).toMatchObject({ status: 200, body: '{"path":"/after-reset"}' });
    expect(requests.mock.calls.length).toBeGreaterThan(1); // resent after at least one dead connection
    requests.mockRestore();
    expect(seen.length - count).toBe(1); // and reached the server once
    expect(pooled.has((seen.at(-1) as Seen).port)).toBe(false);
  });

  it('sends through the proxy its proxy settings name (HTTP_PROXY), as Node\'s agents read them', async () => {
    const proxied: string[] = [];
    const proxy = http.createServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      res.end('via proxy');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const send = nodeHttpTransport({ proxyEnv: { HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` } });
      expect(await send({ method: 'GET', url: 'http://ca.example.invalid/directory', headers: {}, timeoutMs: 2_000 })).toMatchObject({ status: 200, body: 'via proxy' });
      expect(proxied).toEqual(['GET http://ca.example.invalid/directory']);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('refuses anything but http: and https: URLs', async () => {
    await expect(nodeHttpTransport()({ method: 'GET', url: 'ftp://127.0.0.1/x', headers: {}, timeoutMs: 1_000 })).rejects.toMatchObject({ code: 'ERR_INVALID_PROTOCOL' });
  });

  describe('over TLS', () => {
    let tls: TlsMaterial;
    let secure: https.Server;
    let url: string;

    beforeAll(async () => {
      tls = await createTlsMaterial();
      secure = https.createServer({ cert: tls.certPem, key: await readFile(tls.keyPath, 'utf8') }, (_req, res) => res.end('secure'));
      await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => secure.close(() => resolve())));

    it('trusts the given root, and without it refuses the certificate with its TLS code', async () => {
      expect(await nodeHttpTransport({ ca: tls.caCertPem })({ method: 'GET', url, headers: {}, timeoutMs: 2_000 })).toMatchObject({ status: 200, body: 'secure' });
      await expect(nodeHttpTransport()({ method: 'GET', url, headers: {}, timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    });
  });
});
