import { API_RESPONSE_MAX_BYTES, HttpResponseTooLargeError, readCappedText } from '../../../http/index.js';
import { normalizeDnsName } from '../../dns-name.js';
import { cachedLookup, zoneCandidates } from '../../zone-lookup.js';
import type { ChangeRef, DnsProvider, TxtRecord } from '../../provider.js';
import type { CloudflareConfig } from './config.js';
import { readCloudflareCredentials, type CloudflareCredentialsFileDeps } from './credentials.js';
import {
  CloudflareApiError,
  CloudflareAuthError,
  CloudflareCredentialsError,
  CloudflareRateLimitedError,
  CloudflareZoneNotFoundError,
  CLOUDFLARE_TOKEN_SCOPE,
  type CloudflareApiMessage,
} from './errors.js';

/** What the provider is built with; everything has a working default. */
export interface CloudflareDnsProviderDeps extends CloudflareCredentialsFileDeps {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** The API v4 base URL. @default 'https://api.cloudflare.com/client/v4' */
  readonly baseUrl?: string;
  /** The API token, or a function yielding it (from Secrets Manager, say); wins over `credentialsFile` and the environment. */
  readonly apiToken?: string | (() => Promise<string>);
  /** Where `CLOUDFLARE_DNS_API_TOKEN` / `CF_DNS_API_TOKEN` are read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The environment variables the token may come from, in order (lego's names). */
export const CLOUDFLARE_TOKEN_ENV = ['CLOUDFLARE_DNS_API_TOKEN', 'CF_DNS_API_TOKEN'] as const;

interface ApiEnvelope<T> {
  readonly success: boolean;
  readonly errors?: readonly CloudflareApiMessage[];
  readonly result: T;
  readonly result_info?: { readonly page: number; readonly total_pages: number };
}

interface CloudflareZone {
  readonly id: string;
  readonly name: string;
}

interface CloudflareDnsRecord {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly content: string;
}

interface Context {
  readonly record?: string;
  readonly zone?: string;
}

const DEFAULT_TTL = 60;
/** Error codes that mean the token is wrong or lacks scope (besides HTTP 401/403). */
const AUTH_CODES = new Set([6003, 6111, 9106, 9109, 10000]);
/** "Record does not exist": a delete that already happened. */
const RECORD_GONE = 81044;
/** "Record already exists" / "An identical record already exists": a create that already happened. */
const RECORD_EXISTS = [81057, 81058];

/** Cloudflare may show TXT content with the quotes of its zone-file form; compare the bare value. */
const bareContent = (content: string): string => (/^".*"$/s.test(content) ? content.slice(1, -1) : content);

/**
 * dns-01 on Cloudflare (provider code `cloudflare`), through API v4 with a scoped API token
 * (`Authorization: Bearer`, scope {@link CLOUDFLARE_TOKEN_SCOPE}).
 *
 * - The zone is `zoneId`, or the zone whose name is the longest suffix of the record name (`GET /zones?name=`).
 * - Cloudflare keeps one record per TXT value: `upsertTxt` creates a record for each of our values
 *   not there yet; `deleteTxt` deletes, by id, only the records holding our values. Both are
 *   idempotent; a record deleted or created in between ("does not exist", "already exists") is success.
 * - Changes are live at once on Cloudflare's anycast servers, so there is no `changeStatus`.
 *
 * @example
 * ```ts
 * const provider = new CloudflareDnsProvider(cloudflareConfigSchema.parse({ credentialsFile: '/etc/letsencrypt/cloudflare.ini' }), {
 *   warn: (message) => console.warn(message),
 * });
 * await provider.upsertTxt({ name: '_acme-challenge.example.com', values: ['LoqXcYV8...'] });
 * ```
 */
export class CloudflareDnsProvider implements DnsProvider {
  readonly code = 'cloudflare';
  readonly #config: CloudflareConfig;
  readonly #deps: CloudflareDnsProviderDeps;
  readonly #fetch: typeof fetch;
  readonly #baseUrl: string;
  #token: Promise<string> | undefined;
  readonly #zones = new Map<string, Promise<CloudflareZone>>();

  constructor(config: CloudflareConfig, deps: CloudflareDnsProviderDeps = {}) {
    this.#config = config;
    this.#deps = deps;
    this.#fetch = deps.fetch ?? globalThis.fetch;
    this.#baseUrl = (deps.baseUrl ?? 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '');
  }

  async upsertTxt(record: TxtRecord): Promise<ChangeRef> {
    const name = normalizeDnsName(record.name);
    const zone = await this.#zoneFor(name);
    const context = { record: name, zone: zone.name };
    const present = new Set((await this.#listTxt(zone, name)).map((r) => bareContent(r.content)));
    for (const value of new Set(record.values)) {
      if (present.has(value)) continue;
      await this.#request<CloudflareDnsRecord>(
        'POST',
        `/zones/${zone.id}/dns_records`,
        context,
        { body: { type: 'TXT', name, content: value, ttl: record.ttl ?? DEFAULT_TTL, comment: 'acmeflow dns-01' }, tolerate: RECORD_EXISTS },
      );
    }
    return { provider: this.code, zoneId: zone.id };
  }

  async deleteTxt(record: TxtRecord): Promise<void> {
    const name = normalizeDnsName(record.name);
    const zone = await this.#zoneFor(name);
    const ours = new Set(record.values);
    for (const existing of await this.#listTxt(zone, name)) {
      if (!ours.has(bareContent(existing.content))) continue;
      await this.#request('DELETE', `/zones/${zone.id}/dns_records/${existing.id}`, { record: name, zone: zone.name }, { tolerate: [RECORD_GONE] });
    }
  }

  #listTxt(zone: CloudflareZone, name: string): Promise<CloudflareDnsRecord[]> {
    return this.#all<CloudflareDnsRecord>(`/zones/${zone.id}/dns_records`, { type: 'TXT', name }, 100, { record: name, zone: zone.name }).then(
      (records) => records.filter((r) => r.type === 'TXT' && normalizeDnsName(r.name) === name),
    );
  }

  #zoneFor(name: string): Promise<CloudflareZone> {
    if (this.#config.zoneId !== undefined) return Promise.resolve({ id: this.#config.zoneId, name: this.#config.zoneId });
    return cachedLookup(this.#zones, name, () => this.#lookUpZone(name));
  }

  /** The zone whose name is the longest suffix of `name`, most specific candidate first. */
  async #lookUpZone(name: string): Promise<CloudflareZone> {
    for (const candidate of zoneCandidates(name, { withTopLevel: false })) {
      const zones = await this.#all<CloudflareZone>('/zones', { name: candidate }, 50, { record: name });
      const zone = zones.find((z) => normalizeDnsName(z.name) === candidate);
      if (zone) return { id: zone.id, name: candidate };
    }
    throw new CloudflareZoneNotFoundError(name);
  }

  /** Every item of a paginated list (`result_info.total_pages`). */
  async #all<T>(path: string, query: Record<string, string>, perPage: number, context: Context): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const envelope = await this.#request<T[]>('GET', path, context, { query: { ...query, page: String(page), per_page: String(perPage) } });
      items.push(...(envelope?.result ?? []));
      const totalPages = envelope?.result_info?.total_pages ?? 1;
      if (page >= totalPages || (envelope?.result ?? []).length === 0) return items;
    }
  }

  /** One API call; returns undefined when the API answered one of the `tolerate`d error codes. */
  async #request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    context: Context,
    options: { query?: Record<string, string>; body?: unknown; tolerate?: readonly number[] } = {},
  ): Promise<ApiEnvelope<T> | undefined> {
    const url = `${this.#baseUrl}${path}${options.query ? `?${new URLSearchParams(options.query)}` : ''}`;
    const headers: Record<string, string> = { authorization: `Bearer ${await this.#apiToken()}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.#fetch(url, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    } catch (error) {
      throw new CloudflareApiError(`${method} ${path}`, 0, [], { ...context, cause: error });
    }
    const envelope = (await readEnvelope(response, url).catch((error: unknown) => {
      if (error instanceof HttpResponseTooLargeError) throw new CloudflareApiError(`${method} ${path}`, response.status, [], { ...context, cause: error });
      return undefined;
    })) as ApiEnvelope<T> | undefined;
    if (response.ok && envelope?.success) return envelope;
    const errors = envelope?.errors ?? [];
    if (errors.some((e) => options.tolerate?.includes(e.code))) return undefined;
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new CloudflareRateLimitedError({ ...context, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}) });
    }
    if (response.status === 401 || response.status === 403 || errors.some((e) => AUTH_CODES.has(e.code))) {
      throw new CloudflareAuthError(response.status, errors, context);
    }
    throw new CloudflareApiError(`${method} ${path}`, response.status, errors, context);
  }

  /** The token, resolved once: injected, else the credentials file, else the environment. */
  #apiToken(): Promise<string> {
    if (!this.#token) {
      const token = this.#resolveToken();
      this.#token = token;
      token.catch(() => {
        if (this.#token === token) this.#token = undefined;
      });
    }
    return this.#token;
  }

  async #resolveToken(): Promise<string> {
    const injected = this.#deps.apiToken;
    if (typeof injected === 'string') return injected;
    if (injected) return injected();
    if (this.#config.credentialsFile !== undefined) return (await readCloudflareCredentials(this.#config.credentialsFile, this.#deps)).apiToken;
    const env = this.#deps.env ?? process.env;
    const fromEnv = CLOUDFLARE_TOKEN_ENV.map((key) => env[key]).find((value) => value !== undefined && value !== '');
    if (fromEnv !== undefined) return fromEnv;
    throw new CloudflareCredentialsError(
      'no Cloudflare API token is configured',
      `set credentialsFile to a certbot cloudflare.ini, or ${CLOUDFLARE_TOKEN_ENV.join(' or ')}, to a token with ${CLOUDFLARE_TOKEN_SCOPE}`,
    );
  }
}

/** The API's JSON answer, read to at most {@link API_RESPONSE_MAX_BYTES}; undefined when it is no JSON. */
async function readEnvelope(response: Response, url: string): Promise<unknown> {
  const text = await readCappedText(response, API_RESPONSE_MAX_BYTES, url);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
