import { API_RESPONSE_MAX_BYTES, HttpResponseTooLargeError, readCappedText } from '../../../http/index.js';
import { sanitizeDisplayText } from '../../../text/index.js';
import { normalizeDnsName } from '../../dns-name.js';
import type { ChangeRef, DnsProvider, TxtRecord } from '../../provider.js';
import type { AcmeDnsConfig, AcmeDnsRegistration } from './config.js';
import { AcmeDnsAuthError, AcmeDnsRegistrationNotFoundError, AcmeDnsRequestError, AcmeDnsTooManyValuesError } from './errors.js';

/** What the provider is built with. */
export interface AcmeDnsProviderDeps {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** acme-dns serves the two most recently posted values of a subdomain (acme-dns README, "Update"). */
const VALUES_KEPT = 2;
const CHALLENGE_PREFIX = '_acme-challenge.';

/**
 * dns-01 through an acme-dns server (provider code `acme-dns`, https://github.com/joohoi/acme-dns):
 * `_acme-challenge.<domain>` is a CNAME to the registration's `fulldomain`, and the provider posts
 * each value to `POST /update` with `X-Api-User` / `X-Api-Key` and `{ subdomain, txt }`.
 *
 * - The record name finds its registration by `fulldomain` (the name after CNAME delegation), by
 *   the `_acme-challenge` name, or by the domain key of the registration file (`example.com`, `*.example.com`).
 * - acme-dns keeps the two most recent values per subdomain and serves both, so `upsertTxt` posts
 *   every value (a domain and its wildcard fit); more than two at once is an error. Posting the same
 *   values again converges to the same pair.
 * - `deleteTxt` succeeds without a call: acme-dns has no delete. Its subdomain serves nothing but
 *   challenge values, the next update overwrites the oldest one, and a stale value validates nothing
 *   once its authorization is done, so leaving it is safe.
 * - Updates are live at once (acme-dns answers from its database): no `changeStatus`.
 *
 * @example
 * ```ts
 * const provider = new AcmeDnsProvider(acmeDnsConfigSchema.parse({ apiUrl: 'https://auth.acme-dns.io', registrations }));
 * await provider.upsertTxt({ name: '_acme-challenge.example.com', values: [apexValue, wildcardValue] });
 * ```
 */
export class AcmeDnsProvider implements DnsProvider {
  readonly code = 'acme-dns';
  readonly #config: AcmeDnsConfig;
  readonly #fetch: typeof fetch;

  constructor(config: AcmeDnsConfig, deps: AcmeDnsProviderDeps = {}) {
    this.#config = config;
    this.#fetch = deps.fetch ?? globalThis.fetch;
  }

  async upsertTxt(record: TxtRecord): Promise<ChangeRef> {
    const name = normalizeDnsName(record.name);
    const values = [...new Set(record.values)];
    if (values.length > VALUES_KEPT) throw new AcmeDnsTooManyValuesError(name, values.length);
    const registration = this.#registrationFor(name);
    for (const value of values) await this.#update(name, registration, value);
    return { provider: this.code };
  }

  /** acme-dns cannot delete a value (see the class comment): always succeeds, without a call. */
  async deleteTxt(_record: TxtRecord): Promise<void> {}

  #registrationFor(name: string): AcmeDnsRegistration {
    const entries = Object.entries(this.#config.registrations);
    const domain = name.startsWith(CHALLENGE_PREFIX) ? name.slice(CHALLENGE_PREFIX.length) : undefined;
    const byKey = (wanted: string | undefined) =>
      entries.find(([key]) => wanted !== undefined && normalizeDnsName(key).replace(/^\*\./, '') === wanted)?.[1];
    const found =
      entries.find(([, registration]) => normalizeDnsName(registration.fulldomain) === name)?.[1] ?? byKey(name) ?? byKey(domain);
    if (!found) throw new AcmeDnsRegistrationNotFoundError(name, entries.map(([key]) => key));
    return found;
  }

  async #update(record: string, registration: AcmeDnsRegistration, txt: string): Promise<void> {
    const base = (registration.server_url ?? this.#config.apiUrl ?? '').replace(/\/+$/, '');
    const zone = normalizeDnsName(registration.fulldomain);
    let response: Response;
    try {
      response = await this.#fetch(`${base}/update`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-user': registration.username, 'x-api-key': registration.password },
        body: JSON.stringify({ subdomain: registration.subdomain, txt }),
      });
    } catch (error) {
      throw new AcmeDnsRequestError(record, zone, 0, undefined, { cause: error });
    }
    if (response.ok) return;
    let body: { error?: unknown } | undefined;
    try {
      body = JSON.parse(await readCappedText(response, API_RESPONSE_MAX_BYTES, `${base}/update`)) as { error?: unknown };
    } catch (error) {
      if (error instanceof HttpResponseTooLargeError) throw new AcmeDnsRequestError(record, zone, response.status, undefined, { cause: error });
      body = undefined;
    }
    if (response.status === 401) throw new AcmeDnsAuthError(record, zone);
    throw new AcmeDnsRequestError(record, zone, response.status, typeof body?.error === 'string' ? sanitizeDisplayText(body.error, 100) : undefined);
  }
}
