import { getAuthorization, respondChallenge } from '../acme/authorization.js';
import { AcmeProblemError } from '../acme/errors.js';
import { loadAccount } from './account.js';
import type { WorkflowDeps } from './deps.js';
import type { IssuanceState } from './state.js';

/**
 * Step 4: tell the CA each dns-01 challenge is ready (RFC 8555 §7.5.1). A retry after a crash may
 * respond to a challenge that already moved on; CAs refuse that (Pebble and Boulder answer
 * `malformed`), so a refusal is checked against the authorization: past `pending`, it is done.
 */
export async function respondChallenges(state: IssuanceState, deps: WorkflowDeps): Promise<IssuanceState> {
  if (state.skipped) return state;
  const ctx = deps.acme(state.directoryUrl);
  const account = await loadAccount(deps, state.accountId, state.accountUrl);
  for (const authz of state.authorizations) {
    if (authz.status !== 'pending' || !authz.challengeUrl) continue;
    try {
      await respondChallenge(ctx, account, authz.challengeUrl);
    } catch (err) {
      if (!(err instanceof AcmeProblemError)) throw err;
      const current = (await getAuthorization(ctx, account, authz.url)).resource;
      const challenge = current.challenges.find((c) => c.url === authz.challengeUrl);
      if (current.status === 'pending' && challenge?.status === 'pending') throw err;
      deps.log.info('The challenge was already answered (a retried step).', { lineage: state.lineage, identifier: authz.identifier });
    }
  }
  return { ...state, poll: undefined };
}
