/**
 * The entry of the shared Lambda bundle: one esbuild run and one asset for every acmeflow function,
 * each function pointing its handler at its own export (`index.prepareOrder`, ...). The handlers build
 * nothing at import time (functions/README.md), so loading the others costs a cold start little.
 * `test/infra/bundle-entry.test.ts` checks that every step of LAMBDA_STEPS is exported here.
 */
import 'reflect-metadata';

export { handler as prepareOrder } from '../../functions/prepare-order/handler.js';
export { handler as publishRecords } from '../../functions/publish-records/handler.js';
export { handler as checkPropagation } from '../../functions/check-propagation/handler.js';
export { handler as respondChallenges } from '../../functions/respond-challenges/handler.js';
export { handler as pollAuthorizations } from '../../functions/poll-authorizations/handler.js';
export { handler as finalizeOrder } from '../../functions/finalize-order/handler.js';
export { handler as pollOrder } from '../../functions/poll-order/handler.js';
export { handler as storeCertificate } from '../../functions/store-certificate/handler.js';
export { handler as cleanupRecords } from '../../functions/cleanup-records/handler.js';
export { handler as emitIssued } from '../../functions/emit-issued/handler.js';
export { handler as emitDeployable } from '../../functions/emit-deployable/handler.js';
export { handler as recordFailure } from '../../functions/record-failure/handler.js';
export { handler as planRenewals } from '../../functions/plan-renewals/handler.js';
export { handler as completeSweep } from '../../functions/complete-sweep/handler.js';
export { handler as revokeCertificate } from '../../functions/revoke-certificate/handler.js';
export { handler as syncLineages } from '../../functions/sync-lineages/handler.js';
export { handler as acmImport } from '../deploy-hooks/acm-import/handler.js';
