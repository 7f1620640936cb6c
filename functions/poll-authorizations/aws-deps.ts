import { findZoneSigning } from '../../shared/dns/zone-signing.js';
import { s3Store } from '../runtime/adapters/s3.js';
import { keyStores } from '../runtime/adapters/keys.js';
import { stepAwsDeps, type StepDepsFactory } from '../runtime/step-deps.js';

const adapters = stepAwsDeps('PollAuthorizations', [s3Store, keyStores]);

/**
 * PollAuthorizations's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store (read), account keys (read)), so the function's bundle holds only these SDK clients; and the
 * DNSSEC lookup a failed validation's error is hinted with (public DNS, no AWS access; only this
 * function carries the DNS message code).
 */
export const awsDeps: StepDepsFactory = async (env, options) => ({
  ...(await adapters(env, options)),
  zoneSigning: (name, resolvers) => findZoneSigning(name, { resolvers }),
});
