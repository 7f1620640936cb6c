import type { LineageSpec } from '../config/index.js';
import type { KeyStoreKind } from '../config/key-stores.js';

/**
 * A lineage as stored: the spec (what the operator asked for) and the state (what happened).
 * Plain JSON, no secrets. S3 keeps it at `renewal/<name>.json`; the filesystem store in certbot's
 * `renewal/<name>.conf`.
 */
export interface Lineage {
  readonly spec: LineageSpec;
  readonly state: LineageState;
}

export interface LineageState {
  /** The version `live/` points at; 0 before the first issuance. */
  readonly currentVersion: number;
  /** Facts about the current certificate, for renewal decisions without reading it. */
  readonly current?: CertificateSummary;
  /** RFC 9773 renewal information last read from the CA. */
  readonly ari?: AriState;
  /** Consecutive failed attempts, for backoff (reset by a success). */
  readonly failures?: FailureState;
  /** Set when the current certificate was revoked. */
  readonly revoked?: { readonly at: string; readonly reason: string; readonly serialHex: string };
  /** The account URL used for this lineage's orders. */
  readonly accountUrl?: string;
  /** When the lineage was last renewed or issued. */
  readonly issuedAt?: string;
  /**
   * The issuance in progress: written when its order and records are known, cleared by its
   * cleanup. A run that finds another run's `inflight` (that run crashed: the lock was free)
   * removes those TXT values and that pending key before it starts, so nothing is orphaned.
   */
  readonly inflight?: InflightIssuance;
  /** Facts kept by deploy targets, by target name (e.g. `acm` → `{ certificateArn }`); never secrets. */
  readonly deployments?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * The outbox of the current version: which of its events were published. StoreCertificate writes it
   * with both flags false, in the same write that makes the version current; EmitIssued and
   * EmitDeployable set their flag once their event is out. A version stored and not announced (a step
   * after StoreCertificate failed, the execution was stopped) is announced by the next sweep. Absent:
   * nothing owed (lineages stored before the outbox existed).
   */
  readonly announced?: Announcement;
  /**
   * A move of the certificate keys to the store the spec's `keyStore` names now, kept until the old
   * copies are removed (`shared/store/key-store-move.ts`): written with the switch, cleared once a
   * version newer than `atVersion` was announced deployable and the old store's copies are gone.
   */
  readonly keyStoreMove?: KeyStoreMove;
}

/** Where a lineage's keys came from, and the version that was current when it switched stores. */
export interface KeyStoreMove {
  readonly from: KeyStoreKind;
  readonly to: KeyStoreKind;
  /** The version current at the switch: the old copies go once a later version was delivered. */
  readonly atVersion: number;
  /** When the lineage switched (ISO). */
  readonly movedAt: string;
}

/** What was announced of one version (see {@link LineageState.announced}). */
export interface Announcement {
  readonly version: number;
  /** `Certificate Issued` was published. */
  readonly issued: boolean;
  /** `Certificate Deployable` was published. */
  readonly deployable: boolean;
  /** When the deploy delay of this version ends (ISO): `Certificate Deployable` is not owed before. */
  readonly deployableAt: string;
}

export interface InflightIssuance {
  readonly owner: string;
  readonly orderUrl: string;
  readonly keyToken: string;
  readonly records: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly startedAt: string;
}

export interface CertificateSummary {
  readonly serialHex: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly domains: readonly string[];
  readonly issuerCommonName?: string;
  /** RFC 9773 §4.1 certificate identifier; `replaces` on the next order. */
  readonly ariCertificateId?: string;
  readonly keyType?: string;
}

export interface AriState {
  readonly windowStart: string;
  readonly windowEnd: string;
  /** The random moment inside the window chosen once (RFC 9773 §4.2 asks clients to pick one). */
  readonly selectedTime: string;
  /** Do not ask the CA again before this (its Retry-After). */
  readonly nextCheckAt: string;
  readonly explanationURL?: string;
}

export interface FailureState {
  readonly count: number;
  readonly lastFailureAt: string;
  /** Not before this may the lineage be tried again (exponential backoff, 1 h doubling to 32 h). */
  readonly retryNotBefore: string;
  /** The last error's name and message (and ACME problem type), never a secret. */
  readonly lastError: { readonly name: string; readonly message: string; readonly problemType?: string };
}

/** The files of one certificate version, as certbot lays them out (no key: that is in the KeyStore). */
export interface CertificateVersion {
  readonly lineage: string;
  readonly version: number;
  readonly certPem: string;
  readonly chainPem: string;
  readonly fullchainPem: string;
  readonly meta: VersionMeta;
}

export interface VersionMeta {
  readonly serialHex: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly domains: readonly string[];
  readonly orderUrl: string;
  readonly issuedAt: string;
  readonly keyType: string;
  readonly issuerCommonName?: string;
  readonly ariCertificateId?: string;
}
