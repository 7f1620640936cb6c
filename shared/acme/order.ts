import type { Account } from './account.js';
import type { AcmeContext } from './context.js';
import { AcmeClientError, AcmeIdentifierMismatchError, AcmeProfileNotOfferedError, AcmeInvalidResponseError, AcmeOrderNotReadyError, sanitizeProblem } from './errors.js';
import { jsonBody, type AcmeHttpResponse } from './http.js';
import { getDirectory, postAsGet, signedRequest } from './transport.js';
import type { Identifier, Order, Polled } from './types.js';

export interface NewOrderRequest {
  /** DNS names, wildcards included (`*.example.com`), already normalised by the caller. */
  readonly domains: readonly string[];
  readonly notBefore?: string;
  readonly notAfter?: string;
  /**
   * A profile name (draft-ietf-acme-profiles §3); sent only when the directory lists it. A preferred
   * profile the CA does not list is left out (`omitted` says so); a required one is refused first.
   */
  readonly profile?: string;
  /** The profile is required: {@link AcmeProfileNotOfferedError} when the directory does not list it, before any order. */
  readonly profileRequired?: boolean;
  /** RFC 9773 §5: the ARI certificate id of the certificate this order replaces; sent only when the CA has `renewalInfo`. */
  readonly replaces?: string;
}

/** Result of {@link newOrder}: the order, and which optional fields were left out because the CA does not support them. */
export interface NewOrderResult {
  readonly order: Order;
  readonly omitted: readonly ('profile' | 'replaces')[];
  /** The profiles the directory lists (`meta.profiles`), when a profile was asked for: what a fallback note names. */
  readonly offeredProfiles?: readonly string[];
}

function orderFromResponse(url: string, res: AcmeHttpResponse): Order {
  const body = jsonBody<Omit<Order, 'url'>>(res);
  if (typeof body.status !== 'string' || !Array.isArray(body.authorizations) || typeof body.finalize !== 'string') {
    throw new AcmeInvalidResponseError(url, 'the order lacks status, authorizations or finalize (RFC 8555 §7.1.3)', { status: res.status });
  }
  // The order's error is the CA's text; it reaches events and the failure state.
  const error = body.error && typeof body.error === 'object' ? sanitizeProblem(body.error) : undefined;
  const { error: _raw, ...rest } = body;
  return { ...rest, ...(error ? { error } : {}), url };
}

const identifierKey = (i: Identifier) => `${i.type}:${i.value.toLowerCase()}`;

/**
 * RFC 8555 §7.4: creates an order for DNS names. Checks that the CA's order names exactly the
 * identifiers asked for, since a certificate for other names would be useless or worse.
 *
 * @example
 * const { order } = await newOrder(ctx, account, { domains: ['example.com', '*.example.com'] });
 */
export async function newOrder(ctx: AcmeContext, account: Account, request: NewOrderRequest): Promise<NewOrderResult> {
  if (request.domains.length === 0) throw new AcmeClientError('An order needs at least one name.');
  const dir = await getDirectory(ctx);
  const identifiers: Identifier[] = request.domains.map((value) => ({ type: 'dns', value }));
  const payload: Record<string, unknown> = { identifiers };
  if (request.notBefore) payload.notBefore = request.notBefore;
  if (request.notAfter) payload.notAfter = request.notAfter;
  const omitted: ('profile' | 'replaces')[] = [];
  const offeredProfiles = Object.keys(dir.meta?.profiles ?? {});
  if (request.profile) {
    if (offeredProfiles.includes(request.profile)) payload.profile = request.profile;
    else if (request.profileRequired) throw new AcmeProfileNotOfferedError(ctx.directoryUrl, request.profile, offeredProfiles);
    else omitted.push('profile');
  }
  if (request.replaces) {
    if (dir.renewalInfo) payload.replaces = request.replaces;
    else omitted.push('replaces');
  }
  const res = await signedRequest(ctx, dir.newOrder, { key: account.key, accountUrl: account.url }, payload);
  if (!res.location) throw new AcmeInvalidResponseError(dir.newOrder, 'the new order has no Location header', { status: res.status });
  const order = orderFromResponse(res.location, res);
  const asked = identifiers.map(identifierKey).sort();
  const got = (order.identifiers ?? []).map(identifierKey).sort();
  if (asked.length !== got.length || asked.some((k, i) => k !== got[i])) {
    throw new AcmeIdentifierMismatchError(order.url, asked, got);
  }
  return { order, omitted, ...(request.profile ? { offeredProfiles } : {}) };
}

/**
 * POST-as-GET of an order (RFC 8555 §7.1.3): one poll, no waiting. The caller (a Wait state, the
 * local engine) waits `retryAfterSeconds` before asking again (§7.4).
 */
export async function getOrder(ctx: AcmeContext, account: Account, orderUrl: string): Promise<Polled<Order>> {
  const { res } = await postAsGet<unknown>(ctx, orderUrl, { key: account.key, accountUrl: account.url });
  return { resource: orderFromResponse(orderUrl, res), retryAfterSeconds: res.retryAfterSeconds };
}

/**
 * RFC 8555 §7.4: finalizes a `ready` order with a DER CSR.
 *
 * On `orderNotReady` it reads the order: `ready` (the authorizations turned valid meanwhile) →
 * finalize once more; `processing`/`valid` (an earlier attempt, e.g. before a crash, got through) →
 * return it, so the step is idempotent; still `pending` → rethrow for the caller to poll and retry.
 */
export async function finalizeOrder(ctx: AcmeContext, account: Account, order: Pick<Order, 'url' | 'finalize'>, csrDer: Uint8Array): Promise<Polled<Order>> {
  const signer = { key: account.key, accountUrl: account.url };
  const payload = { csr: Buffer.from(csrDer).toString('base64url') };
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await signedRequest(ctx, order.finalize, signer, payload);
      return { resource: orderFromResponse(order.url, res), retryAfterSeconds: res.retryAfterSeconds };
    } catch (err) {
      if (!(err instanceof AcmeOrderNotReadyError)) throw err;
      const current = await getOrder(ctx, account, order.url);
      const status = current.resource.status;
      if (status === 'processing' || status === 'valid') return current;
      if (status === 'ready' && attempt === 0) continue;
      throw err;
    }
  }
}
