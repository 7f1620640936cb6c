import type { AcmeProblem } from './errors.js';

/**
 * What a `rateLimited` problem (RFC 8555 §6.6) limits: the whole account, or only the names of the
 * order that met it. RFC 8555 gives the problem no scope field, so the CA's detail decides; only a
 * limit on the account's own order rate ("too many new orders ... by account", "new orders per
 * account") holds the account. Every other limit (certificates per registered domain, per exact
 * name set, failed validations per name) is the lineage's alone: holding the account for it would
 * stall every other lineage, for as long as a week, over one name's limit. The lineage itself waits
 * out the Retry-After through its failure backoff either way.
 *
 * @example
 * rateLimitScope({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many new orders (300) created by account in the last 3h0m0s' }) // 'account'
 * rateLimitScope({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s' }) // 'lineage'
 */
export function rateLimitScope(problem: Pick<AcmeProblem, 'detail'> | undefined): 'account' | 'lineage' {
  const detail = problem?.detail ?? '';
  return /\bnew[ -]orders?\b|\b(by|per) (this |the )?account\b/i.test(detail) ? 'account' : 'lineage';
}
