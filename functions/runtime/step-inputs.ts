// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';
import { REVOCATION_REASONS, type RevocationReason } from '../../shared/acme/types.js';

/**
 * The Task inputs of the steps that do not take the issuance state, as the state machine
 * definitions' `Parameters` shape them (shared/workflow/machines/).
 */

/** PrepareOrder: `Parameters: { 'input.$': '$', 'owner.$': '$$.Execution.Name' }`. */
export const prepareOrderEventSchema = z.object({
  /** The execution input (checked by prepareOrder's own `issuanceInputSchema`). */
  input: z.record(z.string(), z.unknown()),
  /** The execution's name: owner of the lineage lock. */
  owner: z.string().min(1).optional(),
});

/** PlanRenewals: `Parameters: { 'input.$': '$', 'sweepId.$': '$$.Execution.Name' }`. */
export const planRenewalsEventSchema = z.object({
  input: z
    .object({
      force: z.boolean().optional(),
      lineages: z.array(z.string().min(1)).optional(),
      dryRun: z.boolean().optional(),
      nextRunAt: z.iso.datetime({ offset: true }).optional(),
      pageSize: z.number().int().min(1).max(1000).optional(),
    })
    .default({}),
  sweepId: z.string().min(1),
});

/** RecordFailure: `Parameters: { 'state.$': '$', 'error.$': '$.error', 'step.$': '$.failedStep' }`. */
export const recordFailureEventSchema = z.object({
  /** The issuance state, or the execution input when PrepareOrder failed. */
  state: z.looseObject({ lineage: z.string().min(1), dryRun: z.boolean().optional() }),
  /** What the Catch put at `$.error`. */
  error: z.object({ Error: z.string(), Cause: z.string().nullish().transform((c) => c ?? undefined) }),
  /** `$.failedStep`; the failure path must still reach its event if a wiring change loses it. */
  step: z.string().min(1).default('unknown'),
});

const resultWriterDetailsSchema = z.looseObject({ ResultWriterDetails: z.object({ Bucket: z.string().min(1), Key: z.string().min(1) }) });
const inlineResultsSchema = z.object({
  items: z.array(z.object({ lineage: z.string().min(1), failed: z.boolean(), skipped: z.boolean().optional() })),
});

/** CompleteSweep: the sweep state (PlanRenewals' result, the map's `results` when it ran). */
export const completeSweepEventSchema = z.object({
  planKey: z.string().optional(),
  due: z.number().int().min(0),
  skipped: z.number().int().min(0),
  dryRun: z.boolean().default(false),
  force: z.boolean().default(false),
  results: z.union([resultWriterDetailsSchema, inlineResultsSchema]).optional(),
  unreadableCount: z.number().int().min(0).optional(),
  unreadable: z.array(z.object({ lineage: z.string(), error: z.string(), errorName: z.string() })).optional(),
});

const REASONS = Object.keys(REVOCATION_REASONS) as [RevocationReason, ...RevocationReason[]];

/** RevokeCertificate: the revocation execution's input. */
export const revokeCertificateEventSchema = z.object({
  lineage: z.string().min(1),
  reason: z.enum(REASONS).optional(),
  /** A certificate to revoke instead of the lineage's live one (public data). */
  certificatePem: z.string().min(1).optional(),
});
