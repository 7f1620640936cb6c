import type { ExternalAccountBinding, RevocationReason } from '../../shared/acme/index.js';
import type { LineageSpec } from '../../shared/config/index.js';
import type { KeyStoreKind } from '../../shared/config/key-stores.js';
import type { FailureState, KeyStoreMoveOutcome } from '../../shared/store/index.js';
import type { UnreadableLineage } from '../../shared/workflow/index.js';
import type { EngineFailure } from '../../engine/errors.js';
import type { HookFailure } from '../../shared/events/local-hooks/index.js';
import type { ServedState } from '../../shared/probe/served-status.js';
import type { DnsChoice } from '../dns-flags.js';
import type { ImportPlan } from '../import-plan.js';

/**
 * Where the verbs act: this machine's config directory and the local engine ({@link LocalBackend}),
 * or a deployed stack's bucket and state machines (`CloudBackend`, `--stack`). `main` picks one from
 * the flags; a verb turns its flags into a request, makes one call, and prints the outcome, the same
 * way for both.
 *
 * Rules every implementation keeps:
 * - Bad input a call finds before it changes anything (no such lineage, no account and no
 *   `--agree-tos`) is a `UsageError`: nothing written, no execution started, exit 2.
 * - Progress while a call runs (steps, "Requesting a certificate for ...") goes to the console as it
 *   happens, never on stdout when the request asks for JSON; the outcome is returned, not printed.
 * - Outcomes are public data (they are what `--json` prints): no key, EAB key or credential.
 *
 * @example
 * ```ts
 * const backend = await selectBackend(certonly, values, cmd);
 * printIssueOutcome(cmd.out, await backend.issue(request), request);
 * ```
 */
export interface Backend {
  /**
   * certonly's DNS flags as this backend can use them: here a credentials file, checked now; in the
   * stack a Secrets Manager reference, since the stack cannot read this machine's files.
   */
  dnsFromFlags(values: Record<string, unknown>, warn: (message: string) => void): Promise<DnsChoice>;
  /** certbot's `register`: the account for a CA, registered now or found already there. */
  register(request: RegisterRequest): Promise<RegisterOutcome>;
  /**
   * certbot's `certonly`: writes the lineage and issues its certificate (unless it is not due).
   * `progress.stored` gets the outcome as soon as the certificate is stored, before a deploy delay
   * and its hook (this machine); the returned outcome adds what happened after (hook failures).
   */
  issue(request: IssueRequest, progress?: IssueProgress): Promise<IssueOutcome>;
  /** certbot's `renew`: the renewal sweep over every lineage, or the named ones. */
  renew(request: RenewRequest): Promise<RenewOutcome>;
  /** certbot's `revoke` (RFC 8555 §7.6). */
  revoke(request: RevokeRequest): Promise<RevokeOutcome>;
  /** certbot's `certificates`. */
  listCertificates(request: ListCertificatesRequest): Promise<CertificateListing>;
  /** certbot's `delete`: the lineage's conf, `live/` and `archive/` (this machine only). */
  deleteLineage?(name: string): Promise<void>;
  /**
   * The names of the lineage `name` (certbot's `certonly --cert-name NAME` without `-d` reissues for
   * them), or undefined when there is no such lineage. Absent: the backend cannot tell, and `-d` is needed.
   */
  lineageDomains?(name: string): Promise<readonly string[] | undefined>;
  /** certbot's `reconfigure`: new renewal settings for a lineage, nothing issued (this machine only). */
  reconfigure?(request: ReconfigureRequest): Promise<void>;
  /** certbot's `show_account`, `update_account`, `unregister` (this machine only). */
  account?(request: AccountRequest): Promise<AccountOutcome>;
  /** `import --from DIR`: a certbot directory's lineages moved into the stack (cloud only). */
  importLineages?(plan: ImportPlan): Promise<ImportOutcome>;
  /** `move-key`: a lineage's certificate keys moved to the stack's other key store, nothing issued (cloud only). */
  moveKey?(request: MoveKeyRequest): Promise<MoveKeyOutcome>;
}

/** Which lineage `move-key` moves, and where to. */
export interface MoveKeyRequest {
  readonly name: string;
  readonly to: KeyStoreKind;
}

/** What `move-key` did (public data: versions and store names). */
export type MoveKeyOutcome = KeyStoreMoveOutcome;

export interface ImportOutcome {
  readonly imported: readonly string[];
  /** Already in the stack: left as they are. */
  readonly skipped: readonly string[];
  readonly refused: ImportPlan['refused'];
}

/** What `reconfigure` changes; absent fields stay as they are. */
export interface ReconfigureRequest {
  readonly name: string;
  readonly dns?: DnsChoice;
  /**
   * `--dns-<code>-credentials FILE` given alone (no provider chosen): the lineage keeps its provider
   * and settings and takes this credentials file, which must be for that provider.
   */
  readonly credentials?: { readonly provider: string; readonly credentialsRef: string };
  readonly hooks?: { readonly preHook?: string; readonly deployHook?: string; readonly postHook?: string };
  readonly reuseKey?: boolean;
}

export interface AccountRequest {
  readonly action: 'show' | 'update' | 'deactivate';
  readonly directoryUrl: string;
  /** update: the new contacts (`-m a@x,b@y`). */
  readonly contact?: readonly string[];
}

export interface AccountOutcome {
  readonly directoryUrl: string;
  readonly accountUrl: string;
  readonly thumbprint: string;
  readonly contact: readonly string[];
  readonly status?: string;
  /** `show`: the profiles the CA's directory lists (draft-ietf-acme-profiles `meta.profiles`), name → description; `{}` when none. */
  readonly profiles?: Readonly<Record<string, string>>;
}

/** A Step Functions execution the stack runs for the command (cloud mode). */
export interface StackExecution {
  readonly stack: string;
  readonly region: string;
  readonly executionArn: string;
  readonly executionName: string;
}

/** How an execution that did not succeed ended: FAILED, TIMED_OUT or ABORTED. */
export interface EndedExecution extends StackExecution {
  readonly status: string;
}

export interface RegisterRequest {
  readonly directoryUrl: string;
  readonly email?: string;
  readonly eab?: ExternalAccountBinding;
}

export interface RegisterOutcome {
  readonly accountUrl: string;
  /** false: an account with this CA was there already (certbot refuses a duplicate). */
  readonly created: boolean;
  readonly directoryUrl: string;
  /** The profiles the CA's directory lists (draft-ietf-acme-profiles `meta.profiles`): name → description. */
  readonly profiles?: Readonly<Record<string, string>>;
}

export interface IssueRequest {
  /** The lineage as the flags describe it, validated. */
  readonly spec: LineageSpec;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
  /** The key type came from the CA's suggestion or the default, not a flag: say which was chosen. */
  readonly keyTypeDefaulted: boolean;
  /** What registering an account would need, when none exists yet (on this machine). */
  readonly account: { readonly agreeTos: boolean; readonly email?: string; readonly eab?: ExternalAccountBinding };
  /** `--dns-resolver` for this run's propagation check (the lineage keeps them too). */
  readonly resolvers?: readonly string[];
}

/** What a verb hears while an issuance runs. */
export interface IssueProgress {
  /** The certificate is stored (a `SUCCEEDED` outcome): said before any deploy delay. */
  readonly stored?: (outcome: IssueOutcome) => void;
}

/** Where an issued certificate and its key are, as a person reads it and as `--json` gives it. */
export interface SavedCertificate {
  readonly certificate: string;
  readonly key: string;
  readonly json: Readonly<Record<string, string>>;
}

/**
 * Hooks of the run that did not exit 0 (on this machine): the certificate stays issued, and the
 * command exits 1 so that a cron job sees it. Public data: the command as the operator wrote it.
 */
export type HookFailures = { readonly hookFailures?: readonly HookFailure[] };

export type IssueOutcome = HookFailures & (
  /** certbot's "not yet due": the lineage has this certificate already. */
  | { readonly status: 'NOT_DUE'; readonly lineage: string; readonly notAfter: string }
  /** Started in the stack, not followed (no `--wait`). */
  | { readonly status: 'RUNNING'; readonly lineage: string; readonly execution: StackExecution & { readonly lineageUrl: string } }
  | {
      readonly status: 'SUCCEEDED';
      readonly lineage: string;
      readonly dryRun: boolean;
      readonly version?: number;
      readonly serialHex?: string;
      readonly notAfter?: string;
      /** Absent on a dry run, which stores nothing. */
      readonly saved?: SavedCertificate;
      readonly execution?: StackExecution & { readonly lineageUrl: string };
    }
  /** Another run renewed the lineage meanwhile. */
  | { readonly status: 'SKIPPED'; readonly lineage: string; readonly execution?: StackExecution & { readonly lineageUrl: string } }
  | {
      readonly status: 'FAILED';
      readonly lineage: string;
      readonly dryRun: boolean;
      readonly error?: EngineFailure;
      readonly execution?: EndedExecution & { readonly lineageUrl: string };
      /** Said after the failure: what the failed run left behind, and how the next run deals with it. */
      readonly notes?: readonly string[];
    }
);

export interface RenewRequest {
  /** `--cert-name`s; none: every lineage. */
  readonly names: readonly string[];
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
  /** certbot's hooks, run on this machine. */
  readonly hooks: { readonly preHook?: string; readonly deployHook?: string; readonly postHook?: string };
  /** `--dns-resolver` for this run's propagation checks, overriding each lineage's. */
  readonly resolvers?: readonly string[];
  /**
   * `--dns-propagation-timeout` (seconds): overrides each lineage's for this run and, as certbot
   * saves the flags of a renewal, is saved into the lineages this run renews.
   */
  readonly propagationTimeoutSeconds?: number;
  /**
   * certbot's random delay before a renewal started by cron or a timer (no terminal, no
   * `--no-random-sleep-on-renew`): at most this many seconds, so a fleet does not reach the CA at once.
   * Absent: no delay. The stack's sweep has its own schedule and ignores it.
   */
  readonly randomDelayMaxSeconds?: number;
}

/** One lineage the sweep attempted. */
export type RenewResult =
  | { readonly lineage: string; readonly status: 'succeeded'; readonly version?: number; readonly notAfter?: string; readonly ariExplanationURL?: string }
  /** Another run renewed the lineage after this sweep planned it: nothing done, nothing wrong. */
  | { readonly lineage: string; readonly status: 'skipped'; readonly skipReason?: 'locked' | 'onHold' }
  | {
      readonly lineage: string;
      readonly status: 'failed';
      /** The run's own error (on this machine). */
      readonly error?: EngineFailure;
      /** The failure the lineage recorded (in the stack), with where the lineage is. */
      readonly recorded?: FailureState & { readonly lineageUrl: string };
      /** When the certificate still served expires (ISO), if it has one: a near expiry is warned about. */
      readonly notAfter?: string;
    };

/** A lineage the sweep did not attempt: not due. */
export interface NotDueLineage {
  readonly name: string;
  readonly certificatePath: string;
  readonly notAfter?: string;
}

export type RenewOutcome = HookFailures & (
  | { readonly status: 'RUNNING'; readonly execution: StackExecution }
  /** The sweep itself failed (a failed lineage does not fail it). */
  | { readonly status: 'FAILED'; readonly execution: EndedExecution; readonly error: EngineFailure }
  | {
      readonly status: 'SUCCEEDED';
      readonly dryRun: boolean;
      readonly attempted: number;
      readonly renewed: readonly string[];
      readonly failed: readonly string[];
      readonly results: readonly RenewResult[];
      /** Lineages the sweep could not read (a damaged renewal conf), each with its error; not renewed. */
      readonly unreadable?: readonly UnreadableLineage[];
      /** The lineages not due, each named (on this machine)... */
      readonly notDue?: readonly NotDueLineage[];
      /** ...or only counted, with the command that lists them (in the stack). */
      readonly skipped: number;
      readonly listCommand?: string;
      readonly execution?: StackExecution;
      /**
       * The document `--json` prints. The sweep's own record differs between the engine (every
       * issuance outcome, hook failures) and the stack (its execution, the bucket's URLs), and
       * scripts read both as they are, so each backend gives its own.
       */
      readonly json: unknown;
    }
);

export interface RevokeRequest {
  /** `--cert-name`. */
  readonly lineage?: string;
  /** `--cert-path`, read and parsed at the edge. */
  readonly certificate?: { readonly path: string; readonly pem: string };
  readonly reason: RevocationReason;
  /** `--server`: must be the lineage's CA. */
  readonly server?: string;
  readonly json: boolean;
}

export type RevokeOutcome = HookFailures & (
  | { readonly status: 'RUNNING'; readonly lineage: string; readonly location: string; readonly execution: StackExecution }
  | {
      readonly status: 'SUCCEEDED';
      readonly lineage: string;
      /** Where the revoked certificate is (the file given, or the lineage's cert.pem). */
      readonly location: string;
      readonly serialHex?: string;
      readonly reason: string;
      readonly execution?: StackExecution;
    }
  | { readonly status: 'FAILED'; readonly lineage: string; readonly error: EngineFailure; readonly execution: EndedExecution }
);

export interface ListCertificatesRequest {
  /** `--cert-name`; absent: every lineage. */
  readonly name?: string;
}

/** One lineage as `certificates` lists it, or the error reading it. */
export type CertificateRow =
  | {
      readonly name: string;
      readonly domains: string[];
      readonly keyType: string;
      readonly server: string;
      readonly serialHex?: string;
      readonly notAfter?: string;
      readonly daysLeft?: number;
      readonly status: 'NOT ISSUED' | 'REVOKED' | 'EXPIRED' | 'VALID';
      readonly version: number;
      readonly certificatePath: string;
      readonly privateKeyPath: string;
      readonly failures?: number;
      readonly retryNotBefore?: string;
      /** What the lineage's endpoints serve (on this machine, when the lineage lists endpoints). */
      readonly served?: readonly ServedEndpoint[];
      /** The certificate is within its renewal threshold (or ARI window): `renew` would renew it now. */
      readonly renewalDue?: boolean;
      /** When it comes due, when not due yet (ISO). */
      readonly renewAt?: string;
      /** The lineage's ACME profile, and whether it is required rather than preferred. */
      readonly profile?: string;
      readonly profileRequired?: boolean;
    }
  | { readonly name: string; readonly error: string };

/** One endpoint of a lineage and what it serves, compared with the current version (`servedStatus`). */
export interface ServedEndpoint {
  /** `host:port`. */
  readonly endpoint: string;
  readonly state: ServedState;
  /** Fewer than 14 days left on what it serves. */
  readonly expiring: boolean;
  readonly serialHex?: string;
  readonly notAfter?: string;
  readonly daysToExpiry?: number;
  /** Why nothing was read (`unreachable`). */
  readonly error?: string;
}

export interface CertificateListing {
  /** Where the lineages are, for `--json` (`{ configDir }`, or `{ stack, region, bucket }`). */
  readonly where: Readonly<Record<string, string>>;
  /** The same, for a sentence ("No certificates found in <place>."). */
  readonly place: string;
  readonly rows: readonly CertificateRow[];
}
