import { eventBridgeEvents } from '../runtime/adapters/eventbridge.js';
import { s3Store } from '../runtime/adapters/s3.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * RecordFailure's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store, events), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('RecordFailure', [s3Store, eventBridgeEvents]);
