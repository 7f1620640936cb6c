import { LINEAGE_NAME } from '../../shared/config/lineage-spec.js';

/**
 * The certificate handle's custom resource, as both of its handlers read it: `onEvent` is the ACM
 * hook's function (functions/acm-import/handler.ts, which can import), `isComplete` is
 * functions/certificate-handle/handler.ts (which only reads the store).
 */

/** The resource's properties (set by the `CertificateHandle` construct). */
export interface CertificateHandleProperties {
  readonly Lineage: string;
  /** The ACM target's deployment name (`acm`, `acm:us-east-1`, ...). */
  readonly Target: string;
  /** How long the deploy waits, in seconds (the provider's total timeout; the check ends a little before it). */
  readonly TimeoutSeconds: string;
}

export interface CertificateHandleEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: CertificateHandleProperties;
  /** What `handler` answered (the provider framework passes it on to `isComplete`). */
  readonly Data?: { readonly StartedAt?: string };
}

/** One resource per lineage and target. */
export const physicalId = (p: CertificateHandleProperties) => `acmeflow-certificate:${p.Lineage}:${p.Target}`;

/** The properties, checked (CloudFormation passes every value as a string). */
export function checked(p: CertificateHandleProperties): { lineage: string; target: string; timeoutSeconds: number } {
  const timeoutSeconds = Number(p.TimeoutSeconds);
  if (typeof p.Lineage !== 'string' || !LINEAGE_NAME.test(p.Lineage)) throw new TypeError('Lineage is not a lineage name.');
  if (typeof p.Target !== 'string' || !/^acm(:[\w-]+)*$/.test(p.Target)) throw new TypeError('Target is not an ACM target name.');
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) throw new TypeError('TimeoutSeconds is not a positive integer.');
  return { lineage: p.Lineage, target: p.Target, timeoutSeconds };
}

/** A custom resource event rather than an EventBridge one. */
export function isCertificateHandleEvent(event: unknown): event is CertificateHandleEvent {
  return typeof event === 'object' && event !== null && 'RequestType' in event && 'ResourceProperties' in event;
}
