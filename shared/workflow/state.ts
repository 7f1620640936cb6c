// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';

/**
 * The execution state of one issuance: what travels between the Step Functions states (and the
 * local engine's steps). Public data only — URLs, record names, TXT values, serials. No key ever.
 * Each step takes it and returns it updated; polling steps set `poll` for the Choice and Wait states.
 */

const txtRecordSchema = z.object({ name: z.string(), values: z.array(z.string()), ttl: z.number().optional() });
const changeRefSchema = z.object({ provider: z.string(), id: z.string().optional() }).passthrough();

export const authorizationStateSchema = z.object({
  url: z.string(),
  /** The order identifier this authorization is for (`*.example.com` for a wildcard). */
  identifier: z.string(),
  status: z.string(),
  challengeUrl: z.string().optional(),
  /** `_acme-challenge.<name>` the CA queries. */
  recordName: z.string().optional(),
  /** Where the value is published (after CNAME delegation). */
  effectiveName: z.string().optional(),
  /** The CNAME targets followed from `recordName` to `effectiveName`, when delegated: errors name the chain. */
  cnameChain: z.array(z.string()).optional(),
  /** base64url(SHA-256(key authorization)), RFC 8555 §8.4: public by design, it is published in DNS. */
  value: z.string().optional(),
});

export const pollStateSchema = z.object({
  /** The loop may move on. */
  done: z.boolean(),
  /** Seconds the Wait state waits before the next poll. */
  waitSeconds: z.number().int().min(0),
  /** Polls made in this loop so far. */
  attempt: z.number().int().min(0),
  /** When this loop started (ISO), for its deadline. */
  since: z.string(),
});

export const issuanceStateSchema = z.object({
  lineage: z.string(),
  dryRun: z.boolean(),
  force: z.boolean(),
  /** The lineage had a certificate before this issuance. */
  renewal: z.boolean(),
  /** Set when prepareOrder found nothing to do (another run renewed it meanwhile or holds it, or a cleanup-only run). */
  skipped: z.boolean().default(false),
  /**
   * Why it was skipped: the command says "renewed meanwhile" only when that is what happened;
   * `locked`: a sweep's item found another run holding the lineage (sweeps that meet are not failures);
   * `onHold`: a sweep's item whose account used up the CA's new-order budget, or is held after the
   * CA answered `rateLimited`: the next sweep tries again, nothing failed;
   * `announceOnly`: the run only published the events of a version already stored.
   */
  skipReason: z.enum(['renewedMeanwhile', 'cleanupOnly', 'locked', 'onHold', 'announceOnly']).optional(),
  /** With `skipReason: 'onHold'`: when the account may order again (its new-order budget, or the CA's Retry-After). */
  retryAt: z.string().optional(),
  directoryUrl: z.string(),
  accountId: z.string(),
  accountUrl: z.string(),
  order: z.object({ url: z.string(), finalize: z.string(), status: z.string(), certificate: z.string().optional() }),
  authorizations: z.array(authorizationStateSchema),
  records: z.array(txtRecordSchema),
  changes: z.array(changeRefSchema).default([]),
  lock: z.object({ lineage: z.string(), owner: z.string(), expiresAt: z.string(), token: z.string() }).optional(),
  /** The issuer-wide order slot this sweep item holds (WorkflowDeps.orderSlots), released with the lock. */
  orderSlot: z.object({ slot: z.number().int().min(0), owner: z.string(), expiresAt: z.string(), token: z.string() }).optional(),
  /** Names the pending certificate key in the key store (derived from the order URL). */
  keyToken: z.string(),
  /** The CA's explanation of the ARI window that made this renewal due (RFC 9773 §4.2), for the events. */
  ariExplanationURL: z.string().optional(),
  /** The ARI certificate id sent as `replaces`, if any. */
  replaces: z.string().optional(),
  /** Why the CA refused the order with `replaces` and it was placed without (the problem type and the CA's detail, sanitised). */
  replacesRefused: z.string().optional(),
  poll: pollStateSchema.optional(),
  /**
   * When the order's pending authorizations stop being usable (ISO): the earliest `expires` of them
   * (RFC 8555 §7.1.4), or sooner when the profile is known to allow less (one hour). CheckPropagation
   * stops before it rather than let the authorizations expire unused.
   */
  authorizationDeadline: z.string().optional(),
  /** Filled by storeCertificate. */
  result: z
    .object({
      version: z.number().int().min(0),
      serialHex: z.string(),
      notBefore: z.string(),
      notAfter: z.string(),
      domains: z.array(z.string()),
      location: z.string(),
      keyLocation: z.string(),
    })
    .optional(),
  startedAt: z.string(),
});

export type IssuanceState = z.infer<typeof issuanceStateSchema>;
export type AuthorizationState = z.infer<typeof authorizationStateSchema>;
export type PollState = z.infer<typeof pollStateSchema>;

/** Input of an issuance execution. */
export const issuanceInputSchema = z.object({
  lineage: z.string().min(1),
  force: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  /** The lineage version the sweep planned against: if it changed when the lock is held, skip (check, lock, check again). */
  expectedVersion: z.number().int().min(0).optional(),
  /** The execution's name or id, owner of the lineage lock. */
  owner: z.string().min(1).default('acmeflow'),
  /**
   * Only finish what an abandoned run left (its TXT values, its pending key, its in-flight marker),
   * then skip: what the sweep plans for a lineage that is not due but carries another run's marker.
   * A run that holds the lineage's lock is alive and cleans up after itself: then this skips at once.
   */
  cleanupOnly: z.boolean().default(false),
  /** The CA's explanation of the renewal window that made the sweep plan this lineage (RFC 9773 §4.2). */
  ariExplanationURL: z.string().max(2048).optional(),
  /**
   * Order nothing: publish the events the lineage's outbox (`state.announced`) still owes for its
   * current version. What the sweep plans for a version stored and not announced, and what the
   * issuance starts to emit `Certificate Deployable` once the deploy delay ended. The state machine
   * starts such an execution at EmitIssued.
   */
  announceOnly: z.boolean().optional(),
});
export type IssuanceInput = z.input<typeof issuanceInputSchema>;
