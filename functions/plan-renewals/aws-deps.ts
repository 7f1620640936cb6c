import { s3StoreSignedReads, s3Sweeps } from '../runtime/adapters/s3.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * PlanRenewals's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store, sweeps), so the function's bundle holds only these SDK clients. Its lineage reads are
 * signed reads (s3StoreSignedReads): planning reads thousands of lineages per sweep.
 */
export const awsDeps = stepAwsDeps('PlanRenewals', [s3StoreSignedReads, s3Sweeps]);
