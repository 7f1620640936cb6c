import type { AcmeContext, ExternalAccountBinding } from '../acme/index.js';
import type { KeyStoreKind, LineageSpec } from '../config/index.js';
import type { CheckPropagationOptions, CnameResolver, DnsProvider, PropagationReport, TxtRecord, ZoneSigning } from '../dns/index.js';
import type { EventPublisher } from '../events/index.js';
import type { CertificateStore, KeyStore, LineageLock, NewOrderBudget, OrderSlots } from '../store/index.js';
import type { SweepStore } from '../store/sweep-store.js';

/** Structured logging; fields are public data only (the workflow never passes a key or secret). */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A place a finished certificate is also installed (ACM import, ...), after it is stored. */
export interface DeployTarget {
  readonly name: string;
  /** Installs the certificate; returns facts to keep in the lineage (an ARN), never secrets. */
  deploy(input: { lineage: string; version: number; certPem: string; chainPem: string; privateKeyPem: string; previous?: Record<string, string> }): Promise<Record<string, string>>;
}

/**
 * Everything a workflow step needs from the outside world, injected (ARCHITECTURE.md, "Ports and
 * adapters"). The Lambda shells build it from AWS adapters, the local engine from filesystem
 * adapters, tests from real servers (Pebble, BIND, s3rver) and wire-level fakes.
 */
export interface WorkflowDeps {
  readonly store: CertificateStore;
  readonly keys: KeyStore;
  readonly lock: LineageLock;
  readonly events: EventPublisher;
  /** An ACME context for a directory URL (with the fetch and timeouts of the environment). */
  acme(directoryUrl: string): AcmeContext;
  /** The DNS provider of a lineage (registry + credentials resolution). */
  dnsProvider(dns: LineageSpec['dns']): Promise<DnsProvider>;
  /** EAB credentials from their reference (a secret name, a file). */
  resolveEab(ref: string): Promise<ExternalAccountBinding>;
  /**
   * A new certificate key (PEM) of `keyType` for `lineage`; absent: generated on the spot by
   * shared/crypto `generateCertificateKey`. The local engine starts it when the issuance starts,
   * so RSA key generation (CPU-bound, off the main thread) overlaps the order's round trips.
   */
  generateCertificateKey?(keyType: LineageSpec['keyType'], lineage: string): Promise<string>;
  /** Authoritative propagation check (shared/dns `checkPropagation` in production). */
  checkPropagation(records: readonly TxtRecord[], options: CheckPropagationOptions): Promise<PropagationReport>;
  /** CNAME lookups for delegation; undefined uses the system resolver. */
  readonly cnameResolver?: CnameResolver;
  /**
   * Whether a name's zone is DNSSEC-signed (shared/dns `findZoneSigning` through the lineage's
   * resolvers), asked only when validation failed, to add a DNSSEC hint to the error. Absent: no hint.
   */
  zoneSigning?(name: string, resolvers: readonly string[]): Promise<ZoneSigning | undefined>;
  /**
   * This run's propagation timeout in seconds, over every lineage's `dns.propagationTimeoutSeconds`
   * (the command's `renew --dns-propagation-timeout`, as certbot's plugin flags override the renewal
   * conf for the run). Absent: each lineage's own, else the limit.
   */
  readonly propagationTimeoutSeconds?: number;
  readonly targets?: readonly DeployTarget[];
  /** Plans and results of renewal sweeps (needed by the sweep's steps only). */
  readonly sweeps?: SweepStore;
  /**
   * The issuer-wide cap on orders in flight, shared by every sweep (PrepareOrder takes a slot for a
   * planned item, CleanupRecords gives it back). Absent: each sweep's own concurrency is the only cap.
   */
  readonly orderSlots?: OrderSlots;
  /**
   * The CA's new-order limit per account, counted across every sweep and deploy, and the account's
   * hold after a `rateLimited` answer (PrepareOrder). Absent: the CA's own answers are the only limit.
   */
  readonly orderBudget?: NewOrderBudget;
  /** Where a lineage's files and key are, for events and messages (`s3://bucket/live/<name>/`, a directory). */
  locate(lineage: string, spec?: { readonly keyStore?: KeyStoreKind }): { location: string; keyLocation: string };
  readonly log: Logger;
  now(): Date;
  random(): number;
}

/** Limits of the polling loops; each loop fails with a typed error past its limit, never loops forever. */
export interface WorkflowLimits {
  /** @default 900 (15 min): Route 53 is usually INSYNC within a minute. */
  readonly propagationTimeoutSeconds: number;
  /** @default 900 */
  readonly validationTimeoutSeconds: number;
  /** @default 900 */
  readonly orderTimeoutSeconds: number;
  /** Lease of the lineage lock. @default 3600 */
  readonly lockLeaseSeconds: number;
}

export const DEFAULT_LIMITS: WorkflowLimits = {
  propagationTimeoutSeconds: 900,
  validationTimeoutSeconds: 900,
  orderTimeoutSeconds: 900,
  lockLeaseSeconds: 3600,
};
