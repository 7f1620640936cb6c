import { eventBridgeEvents } from '../runtime/adapters/eventbridge.js';
import { s3Store } from '../runtime/adapters/s3.js';
import { keyStores } from '../runtime/adapters/keys.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * RevokeCertificate's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store, keys (read), events), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('RevokeCertificate', [s3Store, keyStores, eventBridgeEvents]);
