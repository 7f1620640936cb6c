import { dnsProviders } from '../runtime/adapters/dns.js';
import { s3Lock, s3Store } from '../runtime/adapters/s3.js';
import { keyStores } from '../runtime/adapters/keys.js';
import { secretsManagerEab } from '../runtime/adapters/secrets-manager.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * PrepareOrder's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store, locks, certificate and account keys, EAB, DNS), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('PrepareOrder', [s3Store, s3Lock, keyStores, secretsManagerEab, dnsProviders]);
