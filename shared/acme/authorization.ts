import type { Account } from './account.js';
import type { AcmeContext } from './context.js';
import { AcmeChallengeUnavailableError, AcmeInvalidResponseError, sanitizeProblem } from './errors.js';
import { jsonBody } from './http.js';
import { postAsGet, signedRequest } from './transport.js';
import type { Authorization, Challenge, Polled } from './types.js';

/**
 * POST-as-GET of an authorization (RFC 8555 §7.5): one poll, no waiting; `retryAfterSeconds` tells
 * the caller how long to wait before the next (§8.2).
 */
export async function getAuthorization(ctx: AcmeContext, account: Account, url: string): Promise<Polled<Authorization>> {
  const { body, res } = await postAsGet<Omit<Authorization, 'url'>>(ctx, url, { key: account.key, accountUrl: account.url });
  if (!body.identifier || !Array.isArray(body.challenges) || typeof body.status !== 'string') {
    throw new AcmeInvalidResponseError(url, 'the authorization lacks identifier, status or challenges (RFC 8555 §7.1.4)', { status: res.status });
  }
  return { resource: { ...body, challenges: body.challenges.flatMap(readChallenge), url }, retryAfterSeconds: res.retryAfterSeconds };
}

/** The challenge types RFC 8555 §8 and RFC 8737 define, whose shape (§8.3, §8.4) this client knows. */
const KNOWN_CHALLENGE_TYPES: ReadonlySet<string> = new Set(['dns-01', 'http-01', 'tls-alpn-01']);

/**
 * One entry of an authorization's `challenges`. RFC 8555 §7.1.4 lets a CA offer types a client does
 * not know (Let's Encrypt staging has offered `dns-persist-01`, whose fields differ), so those and
 * entries without a type or URL are left out, not parsed; the CA's error text in the rest is sanitised.
 */
function readChallenge(entry: unknown): Challenge[] {
  if (!entry || typeof entry !== 'object') return [];
  const c = entry as Partial<Challenge>;
  if (typeof c.type !== 'string' || !KNOWN_CHALLENGE_TYPES.has(c.type) || typeof c.url !== 'string') return [];
  const { error, ...rest } = c as Challenge;
  return [{ ...rest, ...(error && typeof error === 'object' ? { error: sanitizeProblem(error) } : {}) }];
}

/**
 * Picks the challenge of a type, `dns-01` by default: the only type acmeflow solves.
 *
 * @example
 * const challenge = findChallenge(authz); // the dns-01 challenge, or a typed error
 */
export function findChallenge(authorization: Authorization, type = 'dns-01'): Challenge {
  const challenge = authorization.challenges.find((c) => c.type === type);
  if (!challenge) {
    throw new AcmeChallengeUnavailableError(
      authorization.url,
      authorization.identifier.value,
      type,
      authorization.challenges.map((c) => c.type),
    );
  }
  return challenge;
}

/**
 * RFC 8555 §7.5.1: tells the CA the challenge is ready to be validated. The body is `{}`.
 * Responding to a challenge that is already processing or valid is harmless, so this step may rerun.
 */
export async function respondChallenge(ctx: AcmeContext, account: Account, challengeUrl: string): Promise<Challenge> {
  const res = await signedRequest(ctx, challengeUrl, { key: account.key, accountUrl: account.url }, {});
  return { ...jsonBody<Challenge>(res), url: challengeUrl };
}

/** RFC 8555 §7.5.2: deactivates an authorization (after a failed order, or to give up a name). */
export async function deactivateAuthorization(ctx: AcmeContext, account: Account, url: string): Promise<Authorization> {
  const res = await signedRequest(ctx, url, { key: account.key, accountUrl: account.url }, { status: 'deactivated' });
  return { ...jsonBody<Omit<Authorization, 'url'>>(res), url };
}
