import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { CaPresetName, KeyStoreKind, LineageSpecInput } from '../shared/config/index.js';
import type { KeyType } from '../shared/crypto/index.js';

/**
 * One certificate lineage the issuer keeps issued (certbot's `renewal/<name>.conf`). Checked at
 * synth time by `certificateSchema` (shared/config/issuer-schema.ts, the config file's schema too)
 * and resolved with `resolveLineageSpec`, so a wrong name or an unknown CA fails `cdk synth`. The
 * interfaces here are for their docs; test/infra/acme-issuer-props.test.ts keeps them equal to the schema.
 */
export interface CertificateProps {
  /** The lineage name (certbot's `--cert-name`). @default the first domain without `*.` */
  readonly name?: string;
  /** The names in the certificate's subjectAltName; the first also names the lineage. */
  readonly domains: readonly string[];
  /** Explicit per certificate: the operator manual's CA insists on RSA, and defaults differ between clients. */
  readonly keyType: KeyType;
  /** Name of an entry of {@link AcmeIssuerProps.caAccounts}. */
  readonly ca: string;
  /** Name of an entry of {@link AcmeIssuerProps.dnsProviders}. */
  readonly dns: string;
  /** Renew when less than this is left (`'30 days'`, `'91 days'`, or seconds). @default the CA preset's, else one third of the lifetime */
  readonly renewBeforeExpiry?: string | number;
  /** Seconds between `Certificate Issued` and `Certificate Deployable` (OCSP responder lag). @default the CA preset's (600 for `jprs`), else 0 */
  readonly deployDelaySeconds?: number;
  /** Keep the private key across renewals. @default false */
  readonly reuseKey?: boolean;
  /**
   * Where the private key lives: `'s3'` (an object under `keys/` in the certificate bucket, SSE-KMS
   * with the lineage as encryption context; no per-object price) or `'secretsManager'` (the secret
   * `<secretPrefix>cert/<name>` holding key and chain, for consumers that read a key as a secret, such as
   * ECS task `secrets`). The shipped deploy hooks read either. @default the issuer's `keyStore`
   */
  readonly keyStore?: KeyStoreKind;
  /** CNAME delegation: `example.com` → the name `_acme-challenge.example.com` points at. @default none */
  readonly delegations?: Readonly<Record<string, string>>;
  /**
   * The preferred ACME profile (`'tlsserver'`, `'shortlived'`): asked for when the CA's directory
   * lists it, else the CA's default is issued (the failure event notes it). Synth warns when the
   * CA preset is known not to list it. @default the CA account's `profile`
   */
  readonly profile?: string;
  /**
   * The required ACME profile: when the CA's directory does not list it, the issuance fails before
   * any order, with an explained `AcmeProfileNotOfferedError`. Not with `profile`. @default none
   */
  readonly requiredProfile?: string;
}

/** An ACME account at one CA, shared by the certificates that name it. */
export interface CaAccountProps {
  /** A CA preset (`letsencrypt`, `jprs`, `zerossl`, `google`, ...). @default none: give `directoryUrl` */
  readonly preset?: CaPresetName;
  /** Any RFC 8555 directory URL. @default the preset's */
  readonly directoryUrl?: string;
  /** Where dry runs go. @default the preset's staging directory, else the CA itself */
  readonly stagingDirectoryUrl?: string;
  /** Contact e-mail addresses of the account (RFC 8555 §7.3). @default none */
  readonly contact?: readonly string[];
  /**
   * Name or full ARN of the Secrets Manager secret, created by the operator, holding the External
   * Account Binding credentials (`{"kid":"…","hmacKey":"…"}`). Only this secret is readable by the functions.
   * @default none; required when the preset says the CA requires EAB
   */
  readonly eabSecret?: string;
  /** The operator agreed to the CA's terms of service (certbot's `--agree-tos`). @default false */
  readonly termsOfServiceAgreed?: boolean;
  /** @default 'ecdsa-p256' */
  readonly accountKeyType?: NonNullable<LineageSpecInput['ca']['accountKeyType']>;
  /** The preferred ACME profile of the certificates at this CA that name none themselves. @default none */
  readonly profile?: string;
  /** Issuer common name of the chain to prefer (certbot's `--preferred-chain`). @default the CA's default chain */
  readonly preferredChain?: string;
}

/** A DNS provider configuration, shared by the certificates that name it. */
export interface DnsProviderProps {
  /** Provider code: `route53`, `cloudflare`, `rfc2136`, `acme-dns`. */
  readonly provider: string;
  /** Non-secret settings, checked against the provider's config schema at synth time. @default {} */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Name or full ARN of the secret holding the provider's credentials (TSIG key, API token). @default none */
  readonly credentialsSecret?: string;
  /**
   * Route 53 only: the hosted zones the functions may change (`_acme-challenge.*` TXT records only).
   * Required unless `config.hostedZoneId` or `config.roleArn` is set, so the IAM policy is never `hostedzone/*`.
   * @default `config.hostedZoneId`
   */
  readonly hostedZoneIds?: readonly string[];
  /** Nameservers the propagation check asks instead of the authoritative ones (`host:port`). @default the authoritative servers */
  readonly resolvers?: readonly string[];
}

/**
 * When the renewal sweep runs. By default the schedule follows the shortest certificate lifetime in
 * the issuer (from each certificate's CA preset and profile; 90 days for a CA without a preset), so
 * that three sweeps fall inside the CA's suggested renewal window (about 2 % of the lifetime):
 * twice a day for 90 days and longer, every 8 hours for 64 days, every 6 hours for 45 days, every
 * 30 minutes for six-day certificates.
 */
export interface RenewalScheduleProps {
  /** Overrides the computed schedule. @default computed from the shortest lifetime: `cron(0 0,12 * * ? *)` UTC for 90-day certificates */
  readonly expression?: ScheduleExpression;
  /**
   * The shortest certificate lifetime the issuer will see, when the presets do not tell it (a CA
   * given by `directoryUrl` that issues six-day certificates, say). @default from the CA presets and profiles
   */
  readonly shortestLifetime?: Duration;
  /** The scheduler starts the sweep at a random moment inside this window (jitter, so fleets do not hit the CA at once). @default a quarter of the interval, at most 60 minutes */
  readonly flexibleWindow?: Duration;
  /** @default true */
  readonly enabled?: boolean;
}

/** Where notifications go: `Certificate Issuance Failed`, the alarms, and the SNS deploy hook. */
export interface NotificationProps {
  /** @default a new topic encrypted with the issuer's KMS key */
  readonly topic?: ITopic;
  /** E-mail addresses subscribed to the topic (each confirms by mail). @default none */
  readonly emails?: readonly string[];
}

/** The ACM deploy hook: import each deployable certificate into ACM, keeping its ARN across renewals. */
export interface AcmImportHookProps {
  /** Only these lineages. @default every lineage */
  readonly lineages?: readonly string[];
  /** The ACM region (`us-east-1` for CloudFront). @default the stack's region */
  readonly region?: string;
}

/** An SSM Run Command deploy hook: write certbot's layout on tagged instances and reload the server. */
export interface SsmDeployHookProps {
  /** Only these lineages. @default every lineage */
  readonly lineages?: readonly string[];
  /** The instance tag that selects the targets. */
  readonly targetTagKey: string;
  /** The tag values that select the targets (at most 50). */
  readonly targetTagValues: readonly string[];
  /** Run after the files are written. @default 'systemctl reload httpd' (the operator manual's) */
  readonly reloadCommand?: string;
  /** certbot's config directory on the instances. @default '/etc/letsencrypt' */
  readonly configDir?: string;
  /**
   * Instance roles that get read access to these lineages' keys (`secretsmanager:GetSecretValue`,
   * `kms:Decrypt`). @default none: attach the hook's `instancePolicy` (`issuer.ssmDeployHooks[i].instancePolicy`) yourself
   */
  readonly instanceRoles?: readonly IRole[];
}

/** The deploy hooks shipped with the construct: EventBridge rules on `Certificate Deployable`. */
export interface DeployHooksProps {
  /** @default off */
  readonly acmImport?: AcmImportHookProps;
  /** @default none */
  readonly ssm?: readonly SsmDeployHookProps[];
  /** Notify the notification topic of each deployable certificate. @default true */
  readonly sns?: boolean;
}

/** A consumer of certificate keys kept in S3 (see `AcmeIssuerProps.keyReaders`). */
export interface KeyReaderProps {
  /** The principal's role; it must be a role (its ARN goes into the bucket and key policies). */
  readonly role: IRole;
  /** The lineages whose keys it reads. */
  readonly lineages: readonly string[];
}

/** How long things are kept. */
export interface RetentionProps {
  /** Of every log group (functions, state machines). @default one year */
  readonly logRetention?: RetentionDays;
  /** Old object versions in the certificate bucket. @default 90 days */
  readonly noncurrentVersionExpiration?: Duration;
  /** Sweep plans and results under `sweeps/`. @default 30 days */
  readonly sweepObjectsExpiration?: Duration;
  /** Of the bucket, the KMS key and the log groups when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Properties of {@link AcmeIssuer}.
 *
 * @example
 * ```ts
 * new AcmeIssuer(stack, 'Issuer', {
 *   caAccounts: { jprs: { preset: 'jprs', contact: ['mail@example.jp'], eabSecret: 'acmeflow-eab/jprs', termsOfServiceAgreed: true } },
 *   dnsProviders: { main: { provider: 'route53', config: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' } } },
 *   certificates: [{ domains: ['example.jp', 'www.example.jp'], keyType: 'rsa-2048', ca: 'jprs', dns: 'main' }],
 * });
 * ```
 */
export interface AcmeIssuerProps {
  /** The certificates to keep issued; a deploy that adds or changes one issues it at once. */
  readonly certificates: readonly CertificateProps[];
  /** ACME accounts by name. */
  readonly caAccounts: Readonly<Record<string, CaAccountProps>>;
  /** DNS provider configurations by name. */
  readonly dnsProviders: Readonly<Record<string, DnsProviderProps>>;
  /** @default twice a day (00:00 and 12:00 UTC) with a 60-minute flexible window */
  readonly renewalSchedule?: RenewalScheduleProps;
  /** Issuances one sweep runs at once (the Distributed Map's MaxConcurrency). @default 10 */
  readonly sweepConcurrency?: number;
  /** @default a new topic, no subscriptions */
  readonly notifications?: NotificationProps;
  /** @default SNS notification only */
  readonly deployHooks?: DeployHooksProps;
  /** @default logs one year, old versions 90 days, sweep objects 30 days, RETAIN */
  readonly retention?: RetentionProps;
  /**
   * Where certificate private keys live unless a certificate says otherwise (`CertificateProps.keyStore`).
   * Secrets Manager charges per secret and month; S3 objects have no per-object price. Account keys
   * are always secrets. @default 's3'
   */
  readonly keyStore?: KeyStoreKind;
  /**
   * Principals (an ECS task role, an instance role) allowed to read certificate keys kept in S3, each
   * for the lineages named (`keys/<name>/*` and `kms:Decrypt` under the encryption context
   * `acmeflow:lineage`). Everyone else is denied by the bucket policy and the key policy, whatever
   * their IAM policies say. @default none: only the issuer's own functions (and the SSM hooks' `instanceRoles`)
   */
  readonly keyReaders?: readonly KeyReaderProps[];
  /** Prefix of every secret the issuer creates (`<prefix>cert/<lineage>`, `<prefix>account/<id>`). @default 'acmeflow/' */
  readonly secretPrefix?: string;
  /** The bus the events go to and the hooks listen on. @default the account's default bus */
  readonly eventBus?: IEventBus;
  /** Alarm when the certificate that expires first has fewer days left than this. @default 14 */
  readonly expiryAlarmDays?: number;
  /**
   * @deprecated Every function is its own esbuild bundle (`functions/<step>/handler.ts`), holding only
   * what its step imports. `'per-function'` is what it does anyway; `'shared'` is ignored with a
   * synth warning (`acmeflow:bundling-shared`).
   */
  readonly bundling?: 'shared' | 'per-function';
  /** X-Ray tracing of the state machines and functions. @default true */
  readonly tracing?: boolean;
}
