import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IVpc, ISecurityGroup, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { IHostedZone } from 'aws-cdk-lib/aws-route53';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { CaPresetName, KeyStoreKind, LineageSpecInput } from '../shared/config/index.js';
import type { KeyType } from '../shared/crypto/index.js';
import type { EventDetailType } from '../shared/events/events.js';

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
  /** Where the certificate is served (`'host[:port]'` or `{ host, port, sni }`), for the served-certificate check. @default none */
  readonly endpoints?: readonly (string | { host: string; port?: number | undefined; sni?: string | undefined })[];
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
   * The Secrets Manager secret, created by the operator, holding the External Account Binding
   * credentials (`{"kid":"…","hmacKey":"…"}`): its name or full ARN, or the `ISecret`. Only this
   * secret is readable by the functions; an `ISecret` encrypted with a customer-managed key
   * (`encryptionKey`) also gets `kms:Decrypt` on that key, through Secrets Manager only.
   * @default none; required when the preset says the CA requires EAB
   */
  readonly eabSecret?: string | ISecret;
  /** The operator agreed to the CA's terms of service (certbot's `--agree-tos`). @default false */
  readonly termsOfServiceAgreed?: boolean;
  /** @default 'ecdsa-p256' */
  readonly accountKeyType?: NonNullable<LineageSpecInput['ca']['accountKeyType']>;
  /** The preferred ACME profile of the certificates at this CA that name none themselves. @default none */
  readonly profile?: string;
  /** Issuer common name of the chain to prefer (certbot's `--preferred-chain`). @default the CA's default chain */
  readonly preferredChain?: string;
  /**
   * New orders this account may place per window, counted across every sweep of the issuer (under
   * `locks/order-budget/`); past it, due lineages wait for a later sweep, skipped and not failed.
   * `ariRenewalsExempt`: renewals that replace a certificate through ARI are not counted.
   * @example { orders: 100, windowSeconds: 10800 }
   * @default the preset's (Let's Encrypt: 300 per 3 hours, ARI renewals exempt); none for a CA without a preset
   */
  readonly newOrderLimit?: Readonly<{ orders: number; windowSeconds: number; ariRenewalsExempt?: boolean | undefined }>;
}

/** A DNS provider configuration, shared by the certificates that name it. */
export interface DnsProviderProps {
  /** Provider code: `route53`, `cloudflare`, `rfc2136`, `acme-dns`. */
  readonly provider: string;
  /** Non-secret settings, checked against the provider's config schema at synth time. @default {} */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * The secret holding the provider's credentials (TSIG key, API token): its name or full ARN, or the
   * `ISecret` (granted like {@link CaAccountProps.eabSecret}). @default none
   */
  readonly credentialsSecret?: string | ISecret;
  /**
   * Route 53 only: the hosted zones the functions may change (`_acme-challenge.*` TXT records only).
   * Required unless `config.hostedZoneId` or `config.roleArn` is set, so the IAM policy is never `hostedzone/*`.
   * @default `config.hostedZoneId`
   */
  readonly hostedZoneIds?: readonly string[];
  /** Route 53 only: the same as {@link hostedZoneIds}, as CDK zones (`HostedZone.fromLookup`, a zone of this app); both may be given. @default none */
  readonly hostedZones?: readonly IHostedZone[];
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
  /** Slack, Microsoft Teams and other webhooks that get the issuer's events as messages (EventBridge API destinations). @default none */
  readonly webhooks?: readonly WebhookNotificationProps[];
}

/**
 * One chat channel or webhook that gets some of the issuer's events, as a message in the service's
 * own shape. The credential stays in Secrets Manager: the template holds a dynamic reference only.
 *
 * @example
 * ```ts
 * { kind: 'slack', webhookSecret: 'acmeflow/slack-bot', channel: 'C0123456789', events: ['Certificate Issuance Failed', 'Certificate Deployable'] }
 * { kind: 'teams', url: 'https://prod-00.japaneast.logic.azure.com/workflows/…/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0', webhookSecret: 'acmeflow/teams-sig' }
 * ```
 */
export interface WebhookNotificationProps {
  /** `slack` (`chat.postMessage`), `teams` (a Teams Workflows webhook) or `webhook` (the event as JSON to your endpoint). */
  readonly kind: 'slack' | 'teams' | 'webhook';
  /**
   * Name, ARN or construct of the Secrets Manager secret with the credential: for `slack` the
   * `Authorization` header value `Bearer xoxb-…` (a bot token with `chat:write`); for `teams` the
   * value of the workflow URL's `sig` parameter; for `webhook` the value of {@link header}.
   */
  readonly webhookSecret: ISecret | string;
  /** The JSON key holding the credential when the secret is a JSON object. @default the whole secret string */
  readonly secretField?: string;
  /** The endpoint (https). For `teams`, the workflow URL without its `sig` parameter. @default `slack`: https://slack.com/api/chat.postMessage; required otherwise */
  readonly url?: string;
  /** `slack` only, and required there: the channel ID to post to (the bot must be a member). */
  readonly channel?: string;
  /** `webhook` only: the header that carries the secret. @default 'Authorization' */
  readonly header?: string;
  /** The event types to send. @default ['Certificate Issuance Failed', 'Certificate Revoked'] */
  readonly events?: readonly EventDetailType[];
  /** Only these lineages. @default every lineage */
  readonly lineages?: readonly string[];
}

/**
 * The ACM deploy hook: import each deployable certificate into ACM, keeping its ARN across renewals
 * (the ARN is kept in the lineage state). Its rights are scoped by the `acmeflow:issuer` tag.
 */
export interface AcmImportHookProps {
  /** Only these lineages. @default every lineage */
  readonly lineages?: readonly string[];
  /** The ACM region (`us-east-1` for CloudFront). @default the stack's region */
  readonly region?: string;
  /** A role in another account to import into (it needs `acmImportStatements`, and to trust the hook's role). @default this account */
  readonly roleArn?: string;
  /** Several targets (regions, accounts), each for some lineages; replaces `region` and `roleArn`. @default one target: `region`, `roleArn` */
  readonly targets?: readonly AcmImportTargetProps[];
  /**
   * The `acmeflow:issuer` tag value put on imported certificates; the hook may only re-import those.
   * Keep it when a new stack takes over an issuer's bucket. @default `<stack region>/<issuer's unique id>`
   */
  readonly issuerTag?: string;
}

/** One ACM target of the hook: a region, in this account or another. */
export interface AcmImportTargetProps {
  /** Only these lineages. @default the hook's `lineages` */
  readonly lineages?: readonly string[];
  /** @default the stack's region */
  readonly region?: string;
  /** A role in another account the hook assumes to import there. @default this account */
  readonly roleArn?: string;
  /** Where the lineage state keeps this target's ARN. @default `acm`, `acm:<region>` or `acm:<account>:<region>` */
  readonly name?: string;
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
  /**
   * A State Manager association of the same document on the same tag, so that instances that were not
   * there when `Certificate Deployable` fired (launched later by an Auto Scaling group, offline, or
   * whose run failed) get each lineage's current version once past its deploy delay; instances already
   * current change nothing and do not reload. @default true
   */
  readonly reconcile?: boolean;
  /** When the association runs besides on creation and on newly tagged instances (`rate(...)` or `cron(...)`). @default 'rate(1 hour)' */
  readonly reconcileSchedule?: string;
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
  /**
   * Of the buckets, the KMS key, the log groups and the run-time secrets when the stack is deleted.
   * `DESTROY` empties the buckets (every object version) and deletes them, deletes the secrets under
   * the secret prefix (before the key's deletion is scheduled) and the log groups. `RETAIN` keeps all
   * of them readable: a new stack given the old `bucket`, `encryptionKey` and secret prefix carries on.
   * A bucket or key you pass in is never deleted. @default RemovalPolicy.RETAIN
   */
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
  /**
   * Issuances one sweep runs at once (the Distributed Map's MaxConcurrency), and the cap on orders in
   * flight across every sweep of the issuer. The default lets the ARI drill renew 10,000 lineages
   * within 12 hours (`DEFAULT_SWEEP_CONCURRENCY`).
   * @default 50
   */
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
  /**
   * Prefix of every secret the issuer creates (`<prefix>cert/<lineage>`, `<prefix>account/<id>`), ending
   * with "/". Scoped to the stack and its KMS key by default, so two issuers in one account and region
   * never share a secret, and a stack created again with a new key never meets secrets it cannot
   * decrypt (given the old `encryptionKey`, it computes the old prefix). Give `'acmeflow/'` to keep
   * the secrets of a stack deployed before the default was scoped.
   * @default `acmeflow/<stack name>/<issuer path in the stack>/<first group of the key id>/` (`acmeflow/Prod/Issuer/1234abcd/`)
   */
  readonly secretPrefix?: string;
  /** The bus the events go to and the hooks listen on. @default the account's default bus */
  readonly eventBus?: IEventBus;
  /** Alarm when the certificate that expires first has fewer days left than this. @default 14 */
  readonly expiryAlarmDays?: number;
  /**
   * A CloudWatch dashboard of the issuer (`issuer.dashboard`): alarms, days to expiry (stored, and
   * served per lineage), issuances per day, sweeps. `false` for none. @default true, named by CloudFormation
   */
  readonly dashboard?: boolean | { readonly dashboardName?: string };
  /**
   * @deprecated Every function is its own esbuild bundle (`functions/<step>/handler.ts`), holding only
   * what its step imports. `'per-function'` is what it does anyway; `'shared'` is ignored with a
   * synth warning (`acmeflow:bundling-shared`).
   */
  readonly bundling?: 'shared' | 'per-function';
  /** X-Ray tracing of the state machines and functions. @default true */
  readonly tracing?: boolean;
  /**
   * Bring your own certificate bucket (versioned, encrypted). The issuer adds no policy to an imported
   * bucket: its `keys/` fence (which roles read certificate keys) is then yours to keep, and its
   * lifecycle rules and access logging too. Given with the old `encryptionKey`, a new stack carries
   * on with the lineages, certificates and keys stored in it. Never deleted by the stack.
   * @default a new bucket (versioned, SSE-KMS with `encryptionKey`, access-logged)
   */
  readonly bucket?: IBucket;
  /**
   * Bring your own KMS key: objects in the bucket (SSE-KMS) and the run-time secrets are encrypted
   * with it. Never deleted by the stack. @default the bucket's key when `bucket` has one, else a new key (rotated)
   */
  readonly encryptionKey?: IKey;
  /**
   * Run the functions in this VPC. DNS-01 needs outbound HTTPS to the CA's ACME directory, to the DNS
   * provider's API (Route 53, Cloudflare, ...) or TCP/UDP 53 to the rfc2136 server, and DNS (port 53)
   * to the zone's authoritative nameservers for the propagation check; AWS calls go to S3, Secrets
   * Manager, KMS, Step Functions, EventBridge, STS and CloudWatch, which VPC endpoints can serve
   * instead of a NAT (the CA, the DNS API and the nameservers still need a way out).
   * @default no VPC (Lambda's own internet access)
   */
  readonly vpc?: IVpc;
  /** Subnets of {@link vpc} (private, with a NAT or the endpoints above). @default the VPC's private subnets */
  readonly vpcSubnets?: SubnetSelection;
  /** Security groups of the functions in {@link vpc}. @default one per function, all outbound allowed */
  readonly securityGroups?: readonly ISecurityGroup[];
}
