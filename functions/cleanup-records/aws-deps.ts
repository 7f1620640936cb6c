import { dnsProviders } from '../runtime/adapters/dns.js';
import { s3Lock, s3Store } from '../runtime/adapters/s3.js';
import { keyStores } from '../runtime/adapters/keys.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * CleanupRecords's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store, locks, certificate keys, DNS), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('CleanupRecords', [s3Store, s3Lock, keyStores, dnsProviders]);
