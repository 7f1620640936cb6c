import { dnsProviders } from '../runtime/adapters/dns.js';
import { s3Store } from '../runtime/adapters/s3.js';
import { stepAwsDeps } from '../runtime/step-deps.js';

/**
 * PublishRecords's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store (read), DNS), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('PublishRecords', [s3Store, dnsProviders]);
