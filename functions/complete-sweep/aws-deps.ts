import { eventBridgeEvents } from '../runtime/adapters/eventbridge.js';
import { s3Sweeps } from '../runtime/adapters/s3.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * CompleteSweep's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (sweeps (read), events), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('CompleteSweep', [s3Sweeps, eventBridgeEvents]);
