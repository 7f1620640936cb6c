import { eventBridgeEvents } from '../runtime/adapters/eventbridge.js';
import { s3Store } from '../runtime/adapters/s3.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * EmitIssued's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store (read), events), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('EmitIssued', [s3Store, eventBridgeEvents]);
