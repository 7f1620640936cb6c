import { s3Store } from '../runtime/adapters/s3.js';
import { keyStores } from '../runtime/adapters/keys.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * PollOrder's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store (read), account keys (read)), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('PollOrder', [s3Store, keyStores]);
