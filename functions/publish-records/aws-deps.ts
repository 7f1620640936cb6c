import { dnsProviders } from '../shared/adapters/dns.js';
import { s3Store } from '../shared/adapters/s3.js';
import { stepAwsDeps } from '../shared/step-deps.js';

/**
 * PublishRecords's AWS adapters, built on the function's first invocation: exactly its `STEP_ACCESS`
 * (store (read), DNS), so the function's bundle holds only these SDK clients.
 */
export const awsDeps = stepAwsDeps('PublishRecords', [s3Store, dnsProviders]);
