/**
 * A wire-level fake of an acme-dns server's HTTP API (https://github.com/joohoi/acme-dns) on
 * 127.0.0.1: `POST /register` returns a registration, `POST /update` checks `X-Api-User` /
 * `X-Api-Key` against it and the value the way acme-dns does (43 characters of base64url), and keeps
 * the two most recent values per subdomain, the oldest replaced first.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AcmeDnsFakeRegistration {
  readonly username: string;
  readonly password: string;
  readonly fulldomain: string;
  readonly subdomain: string;
  readonly allowfrom: readonly string[];
}

export interface AcmeDnsFakeCall {
  readonly method: string;
  readonly path: string;
  readonly apiUser?: string;
  readonly body?: unknown;
  readonly status: number;
}

export interface AcmeDnsFake {
  /** `http://127.0.0.1:port`, the acme-dns `server_url`. */
  readonly url: string;
  /** Register a subdomain, as `POST /register` does. */
  register(): AcmeDnsFakeRegistration;
  /** The values the subdomain serves now, oldest first (at most two). */
  values(subdomain: string): string[];
  readonly calls: readonly AcmeDnsFakeCall[];
  stop(): Promise<void>;
}

/**
 * @example
 * ```ts
 * const fake = await startAcmeDnsFake();
 * const registration = fake.register();
 * ```
 */
export async function startAcmeDnsFake(options: { readonly domain?: string } = {}): Promise<AcmeDnsFake> {
  const domain = options.domain ?? 'auth.acme-dns.test';
  const registrations = new Map<string, AcmeDnsFakeRegistration>();
  const values = new Map<string, string[]>();
  const calls: AcmeDnsFakeCall[] = [];

  const register = (): AcmeDnsFakeRegistration => {
    const subdomain = randomUUID();
    const registration = {
      username: randomUUID(),
      password: randomBytes(30).toString('base64url'),
      fulldomain: `${subdomain}.${domain}`,
      subdomain,
      allowfrom: [],
    };
    registrations.set(registration.username, registration);
    values.set(subdomain, []);
    return registration;
  };

  function update(user: string | undefined, key: string | undefined, body: unknown): [number, unknown] {
    const registration = user === undefined ? undefined : registrations.get(user);
    if (!registration || registration.password !== key) return [401, { error: 'forbidden' }];
    if (typeof body !== 'object' || body === null) return [400, { error: 'malformed_json_payload' }];
    const { subdomain, txt } = body as { subdomain?: unknown; txt?: unknown };
    if (subdomain !== registration.subdomain) return [401, { error: 'forbidden' }];
    if (typeof txt !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(txt)) return [400, { error: 'bad_txt' }];
    values.set(subdomain, [...(values.get(subdomain) ?? []), txt].slice(-2));
    return [200, { txt }];
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const apiUser = request.headers['x-api-user'] as string | undefined;
      const apiKey = request.headers['x-api-key'] as string | undefined;
      const [status, payload] =
        method === 'POST' && path === '/register'
          ? [201, register()]
          : method === 'POST' && path === '/update'
            ? update(apiUser, apiKey, body)
            : [404, { error: 'not_found' }];
      calls.push({ method, path, ...(apiUser === undefined ? {} : { apiUser }), ...(body === undefined ? {} : { body }), status });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    register,
    values: (subdomain) => [...(values.get(subdomain) ?? [])],
    calls,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
