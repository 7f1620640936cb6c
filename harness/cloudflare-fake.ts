/**
 * A wire-level fake of the Cloudflare API v4 endpoints the provider calls (`GET /zones`,
 * `GET|POST /zones/:id/dns_records`, `DELETE /zones/:id/dns_records/:id`), on 127.0.0.1. It checks
 * the Bearer token (and a read-only token's lack of DNS:Edit), paginates with a small page size so
 * pagination is exercised, answers in the real envelope (`success`, `errors[]`, `result`,
 * `result_info`) with the real error codes, and can inject 429/5xx answers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CloudflareFakeOptions {
  /** Zone names, e.g. `example.com`. */
  readonly zones: readonly string[];
  /** The token with Zone:DNS:Edit on every zone. */
  readonly token: string;
  /** A token that may read but not edit DNS (Zone:DNS:Read). */
  readonly readOnlyToken?: string;
  /** Items per page, whatever `per_page` asks. @default 2 */
  readonly pageSize?: number;
}

export interface CloudflareFakeRecord {
  readonly id: string;
  readonly zoneId: string;
  readonly type: string;
  readonly name: string;
  readonly content: string;
  readonly ttl: number;
  readonly comment?: string;
}

export interface CloudflareFakeCall {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly status: number;
}

/** Counted faults: the next `count` (default 1) calls get a 429 (with `Retry-After`) or a 500. */
export type CloudflareFakeFault = { readonly kind: 'rate-limit' | 'server-error'; readonly count?: number };

export interface CloudflareFake {
  /** The API v4 base URL, for the provider's `baseUrl`: `http://127.0.0.1:port/client/v4`. */
  readonly baseUrl: string;
  zoneId(name: string): string;
  /** The TXT contents at `name` (as stored), sorted. */
  txt(name: string): string[];
  /** Every record of every zone, as stored, oldest first (a snapshot): what a DNS face serves. */
  records(): readonly CloudflareFakeRecord[];
  /** Write a record directly, as another client would. */
  put(record: { readonly name: string; readonly content: string; readonly type?: string; readonly ttl?: number }): CloudflareFakeRecord;
  readonly calls: readonly CloudflareFakeCall[];
  inject(fault: CloudflareFakeFault): void;
  stop(): Promise<void>;
}

const hexId = (): string => randomBytes(16).toString('hex');
const normalize = (name: string): string => name.trim().replace(/\.$/, '').toLowerCase();

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Start the fake; stop it when done.
 *
 * @example
 * ```ts
 * const fake = await startCloudflareFake({ zones: ['example.com'], token: 'test-token' });
 * new CloudflareDnsProvider({}, { baseUrl: fake.baseUrl, apiToken: 'test-token' });
 * ```
 */
export async function startCloudflareFake(options: CloudflareFakeOptions): Promise<CloudflareFake> {
  const pageSize = options.pageSize ?? 2;
  const zones = options.zones.map((name) => ({ id: hexId(), name: normalize(name), status: 'active' }));
  let records: CloudflareFakeRecord[] = [];
  const calls: CloudflareFakeCall[] = [];
  let faults: { kind: CloudflareFakeFault['kind']; remaining: number }[] = [];

  const zoneHolding = (name: string) =>
    zones.filter((z) => name === z.name || name.endsWith(`.${z.name}`)).sort((a, b) => b.name.length - a.name.length)[0];

  function paginate<T>(items: readonly T[], query: Record<string, string>) {
    const perPage = Math.min(Number(query.per_page ?? 100) || 100, pageSize);
    const page = Math.max(1, Number(query.page ?? 1) || 1);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const result = items.slice((page - 1) * perPage, page * perPage);
    return { result, result_info: { page, per_page: perPage, count: result.length, total_count: items.length, total_pages: totalPages } };
  }

  function handle(method: string, parts: string[], query: Record<string, string>, body: unknown, token: string | undefined): unknown {
    if (token !== options.token && token !== options.readOnlyToken) throw new ApiError(403, 10000, 'Authentication error');
    const [resource, zoneId, sub, recordId] = parts;
    if (resource !== 'zones') throw new ApiError(400, 7000, 'No route for that URI');
    if (zoneId === undefined && method === 'GET') {
      const wanted = query.name === undefined ? undefined : normalize(query.name);
      return paginate(zones.filter((z) => wanted === undefined || z.name === wanted), query);
    }
    const zone = zones.find((z) => z.id === zoneId);
    if (!zone || sub !== 'dns_records') throw new ApiError(400, 7003, `Could not route to /zones/${zoneId ?? ''}, perhaps your object identifier is invalid?`);
    if (method !== 'GET' && token !== options.token) throw new ApiError(403, 10000, 'Authentication error');
    if (method === 'GET' && recordId === undefined) {
      const name = query.name === undefined ? undefined : normalize(query.name);
      const matching = records.filter((r) => r.zoneId === zone.id && (!query.type || r.type === query.type) && (name === undefined || r.name === name));
      return paginate(matching, query);
    }
    if (method === 'POST' && recordId === undefined) {
      const input = body as { type?: string; name?: string; content?: string; ttl?: number; comment?: string };
      const name = normalize(input.name ?? '');
      if (!input.type || !input.content) throw new ApiError(400, 9005, 'Content for TXT record is invalid.');
      if (name !== zone.name && !name.endsWith(`.${zone.name}`)) throw new ApiError(400, 1004, 'DNS Validation Error');
      const ttl = input.ttl ?? 1;
      if (ttl !== 1 && (ttl < 60 || ttl > 86400)) throw new ApiError(400, 9021, 'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.');
      if (records.some((r) => r.zoneId === zone.id && r.type === input.type && r.name === name && r.content === input.content)) {
        throw new ApiError(400, 81058, 'An identical record already exists.');
      }
      const record: CloudflareFakeRecord = {
        id: hexId(),
        zoneId: zone.id,
        type: input.type,
        name,
        content: input.content,
        ttl,
        ...(input.comment === undefined ? {} : { comment: input.comment }),
      };
      records.push(record);
      return { result: record };
    }
    if (method === 'DELETE' && recordId !== undefined) {
      if (!records.some((r) => r.id === recordId && r.zoneId === zone.id)) throw new ApiError(404, 81044, 'Record does not exist.');
      records = records.filter((r) => r.id !== recordId);
      return { result: { id: recordId } };
    }
    throw new ApiError(405, 10405, `Method ${method} not allowed`);
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const query = Object.fromEntries(url.searchParams);
      const method = request.method ?? 'GET';
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      let status = 200;
      let payload: Record<string, unknown>;
      const fault = faults[0];
      try {
        if (fault) {
          fault.remaining -= 1;
          if (fault.remaining <= 0) faults = faults.slice(1);
          if (fault.kind === 'rate-limit') throw new ApiError(429, 971, 'Please wait and consider throttling your request speed');
          throw new ApiError(500, 10001, 'Internal server error');
        }
        const prefix = '/client/v4/';
        if (!url.pathname.startsWith(prefix)) throw new ApiError(404, 7000, 'No route for that URI');
        const result = handle(method, url.pathname.slice(prefix.length).split('/').filter(Boolean), query, body, token) as Record<string, unknown>;
        payload = { success: true, errors: [], messages: [], ...result };
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(500, 10001, String(error));
        status = apiError.status;
        payload = { success: false, errors: [{ code: apiError.code, message: apiError.message }], messages: [], result: null };
      }
      calls.push({ method, path: url.pathname, query, ...(body === undefined ? {} : { body }), status });
      response.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '30' } : {}) });
      response.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    zoneId(name) {
      const zone = zones.find((z) => z.name === normalize(name));
      if (!zone) throw new Error(`cloudflare fake: no zone ${name}`);
      return zone.id;
    },
    txt(name) {
      return records.filter((r) => r.type === 'TXT' && r.name === normalize(name)).map((r) => r.content).sort();
    },
    records: () => [...records],
    put(input) {
      const name = normalize(input.name);
      const zone = zoneHolding(name);
      if (!zone) throw new Error(`cloudflare fake: no zone holds ${name}`);
      const record: CloudflareFakeRecord = { id: hexId(), zoneId: zone.id, type: input.type ?? 'TXT', name, content: input.content, ttl: input.ttl ?? 1 };
      records.push(record);
      return record;
    },
    calls,
    inject(fault) {
      faults.push({ kind: fault.kind, remaining: fault.count ?? 1 });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
