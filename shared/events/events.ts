// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';

/**
 * acmeflow's events (EventBridge source `acmeflow`). Deployment hooks are rules on these; locally
 * they map to certbot's `--deploy-hook` and `--post-hook`. No event carries key material.
 */

export const EVENT_SOURCE = 'acmeflow';

const problemSchema = z
  .object({
    type: z.string(),
    detail: z.string().optional(),
    status: z.number().optional(),
    instance: z.string().optional(),
    subproblems: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .passthrough();

const certificateFacts = {
  lineage: z.string(),
  version: z.number().int().positive(),
  domains: z.array(z.string()),
  serialHex: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  /** Where the files are: `s3://bucket/live/<name>/` in AWS, the config dir locally. */
  location: z.string(),
  /** Where the key is: `s3://bucket/keys/<name>/` (S3 key store), the secret holding key and chain (`acmeflow/cert/<name>`), or the local privkey path. */
  keyLocation: z.string(),
  renewal: z.boolean(),
};

export const certificateIssuedSchema = z.object({
  ...certificateFacts,
  deployDelaySeconds: z.number().int().min(0),
  /** Renewed because the CA moved its renewal window (ARI): the CA's page explaining why (RFC 9773 §4.2). */
  ariExplanationURL: z.string().optional(),
});
export const certificateDeployableSchema = z.object(certificateFacts);
export const certificateIssuanceFailedSchema = z.object({
  lineage: z.string(),
  domains: z.array(z.string()),
  /** The workflow step that failed (`PrepareOrder`, `CheckPropagation`, ...). */
  step: z.string(),
  error: z.object({ name: z.string(), message: z.string() }),
  /** The ACME problem as the CA sent it, with subproblems, when there was one. */
  problem: problemSchema.optional(),
  explanation: z.object({ en: z.string(), ja: z.string() }).optional(),
  failureCount: z.number().int().min(1).optional(),
  retryNotBefore: z.string().optional(),
});
export const certificateRevokedSchema = z.object({
  lineage: z.string(),
  serialHex: z.string(),
  reason: z.string(),
  revokedAt: z.string(),
});
export const renewalSweepCompletedSchema = z.object({
  attempted: z.number().int().min(0),
  renewed: z.array(z.string()),
  failed: z.array(z.string()),
  skipped: z.number().int().min(0),
  /** Of `skipped`, the due lineages another run held or had renewed since planning (sweeps that met): not failures. */
  skippedDue: z.number().int().min(0).optional(),
  /** Lineages that exist but could not be read (a damaged conf or object): skipped, not renewed. */
  unreadableCount: z.number().int().min(0).optional(),
  /** The first of them, with the store's message (file or object, line, problem). */
  unreadable: z.array(z.object({ lineage: z.string(), error: z.string(), errorName: z.string() })).optional(),
  dryRun: z.boolean().default(false),
});

export const EVENT_SCHEMAS = {
  'Certificate Issued': certificateIssuedSchema,
  'Certificate Deployable': certificateDeployableSchema,
  'Certificate Issuance Failed': certificateIssuanceFailedSchema,
  'Certificate Revoked': certificateRevokedSchema,
  'Renewal Sweep Completed': renewalSweepCompletedSchema,
} as const;

export type EventDetailType = keyof typeof EVENT_SCHEMAS;
export type EventDetail<T extends EventDetailType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

/** One event: its EventBridge detail-type and detail. */
export type AcmeflowEvent = { [T in EventDetailType]: { readonly detailType: T; readonly detail: EventDetail<T> } }[EventDetailType];

/** Validates an event against its schema; throws a ZodError naming the field. */
export function validateEvent(event: AcmeflowEvent): AcmeflowEvent {
  const schema = EVENT_SCHEMAS[event.detailType];
  return { detailType: event.detailType, detail: schema.parse(event.detail) } as AcmeflowEvent;
}

/**
 * The event port. `publish` delivers every event or throws `EventPublishError` listing the ones
 * that failed (EventBridge PutEvents can fail per entry); publishing the same event twice is
 * allowed (consumers must tolerate at-least-once delivery, as with EventBridge itself).
 */
export interface EventPublisher {
  publish(events: readonly AcmeflowEvent[]): Promise<void>;
}

/** One event `publish` could not deliver. */
export interface FailedEvent {
  detailType: string;
  errorCode?: string;
  errorMessage?: string;
  /** Its position in the array given to `publish`, to tell apart several events of one detail-type. */
  index?: number;
}

export class EventPublishError extends Error {
  readonly failed: readonly FailedEvent[];
  constructor(failed: readonly FailedEvent[], options: { cause?: unknown } = {}) {
    super(
      `${failed.length} event(s) were not delivered: ${failed.map((f) => `${f.detailType} (${f.errorCode ?? 'error'}: ${f.errorMessage ?? ''})`).join('; ')}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'EventPublishError';
    this.failed = failed;
  }
}
