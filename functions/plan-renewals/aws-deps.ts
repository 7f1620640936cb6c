import { s3Store, s3Sweeps } from '../shared/adapters/s3.js';
import { stepAwsDeps } from '../shared/step-deps.js';

/**
 * PlanRenewals's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store, sweeps), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('PlanRenewals', [s3Store, s3Sweeps]);
