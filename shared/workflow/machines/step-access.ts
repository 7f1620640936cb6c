import type { LambdaStep } from './index.js';

/**
 * What one function may touch. Each flag maps to exact resources (see `grant-access.ts`); a step
 * gets nothing it does not use, so a bug or a compromised dependency in one step cannot, say,
 * change DNS from the step that only publishes events.
 */
export interface FunctionAccess {
  /** Lineages and certificates: `renewal/`, `live/`, `archive/`. */
  readonly store?: 'read' | 'write';
  /** Lineage locks: `locks/`. */
  readonly locks?: boolean;
  /** Sweep plans and Distributed Map results: `sweeps/`. */
  readonly sweeps?: 'read' | 'write';
  /** Certificate keys: the objects under `keys/` and the secrets `<prefix>cert/*` (each lineage uses one of them). */
  readonly certificateKeys?: 'read' | 'write';
  /** ACME account key secrets `<prefix>account/*`. */
  readonly accountKeys?: 'read' | 'write';
  /** The EAB secrets of the configured CA accounts (registration). */
  readonly eab?: boolean;
  /**
   * DNS: the DNS credential secrets and the assumed DNS roles (to build the provider), plus on Route 53
   * `write` — change and read the configured zones' `_acme-challenge` TXT sets, poll changes, find zones —
   * or `read` — poll changes (`route53:GetChange`) and nothing that changes a record.
   */
  readonly dns?: 'read' | 'write';
  /** `events:PutEvents` with source `acmeflow` on the bus. */
  readonly events?: boolean;
}

/**
 * The access of each workflow step, from what its `shared/workflow` function calls:
 * - PrepareOrder locks the lineage, registers the account (EAB, account key) and, when it finds an
 *   abandoned run, deletes that run's TXT values and pending key.
 * - PublishRecords and CleanupRecords change TXT records; CheckPropagation only reads change status
 *   (Route 53 `GetChange`; the nameservers themselves are asked over DNS, which needs no IAM).
 * - The ACME steps after it sign with the account key (read only).
 * - FinalizeOrder creates the pending certificate key; StoreCertificate promotes it and writes the version.
 * - CleanupRecords deletes TXT values, discards a pending key, clears `inflight`, releases the lock.
 * - EmitIssued and EmitDeployable record in the lineage's outbox (`state.announced`) what they published.
 * - PlanRenewals reads lineages and writes the plan and the planning index (which keeps the ARI choice,
 *   so no lineage is written); CompleteSweep reads the results.
 */
export const STEP_ACCESS: Readonly<Record<LambdaStep, FunctionAccess>> = {
  PrepareOrder: { store: 'write', locks: true, certificateKeys: 'write', accountKeys: 'write', eab: true, dns: 'write' },
  PublishRecords: { store: 'read', dns: 'write' },
  CheckPropagation: { store: 'read', dns: 'read' },
  RespondChallenges: { store: 'read', accountKeys: 'read' },
  PollAuthorizations: { store: 'read', accountKeys: 'read' },
  FinalizeOrder: { store: 'read', certificateKeys: 'write', accountKeys: 'read' },
  PollOrder: { store: 'read', accountKeys: 'read' },
  StoreCertificate: { store: 'write', certificateKeys: 'write', accountKeys: 'read' },
  CleanupRecords: { store: 'write', locks: true, certificateKeys: 'write', dns: 'write' },
  EmitIssued: { store: 'write', events: true },
  EmitDeployable: { store: 'write', events: true },
  RecordFailure: { store: 'write', events: true },
  PlanRenewals: { store: 'read', sweeps: 'write' },
  CompleteSweep: { sweeps: 'read', events: true },
  RevokeCertificate: { store: 'write', certificateKeys: 'read', accountKeys: 'read', events: true },
};
