import type { LambdaStep, ResourceFor } from './lambda-resources.js';
import { TRANSIENT_RETRY } from './retry.js';

/** The revocation state machine: one step (RFC 8555 §7.6), retried on transient errors. */
export const REVOCATION_TASKS: Readonly<Record<string, LambdaStep>> = { RevokeCertificate: 'RevokeCertificate' };

export function revocationDefinition(resourceFor: ResourceFor): Record<string, unknown> {
  return {
    Comment: 'acmeflow: revoke a lineage\u2019s certificate',
    StartAt: 'RevokeCertificate',
    States: {
      RevokeCertificate: {
        Type: 'Task',
        Resource: resourceFor('RevokeCertificate'),
        TimeoutSeconds: 120,
        Retry: [TRANSIENT_RETRY],
        End: true,
      },
    },
  };
}
