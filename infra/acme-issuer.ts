import 'reflect-metadata';
import path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus, Rule, type IEventBus, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ILogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from './iam/nag-suppressions.js';
import { Construct } from 'constructs';
import { DEFAULT_KEY_STORE, expectedLifetimeSeconds, presetProfileProblem, type LineageSpec } from '../shared/config/index.js';
import { sweepSchedule } from '../shared/renewal/sweep-schedule.js';
import type { EventDetailType } from '../shared/events/events.js';
import type { AcmeIssuerProps } from './acme-issuer-props.js';
import { IssuerAlarms } from './alarms/issuer-alarms.js';
import { IssuerDashboard } from './dashboard/issuer-dashboard.js';
import { AcmImportHook } from './deploy-hooks/acm-import-hook.js';
import { CertificateHandles, type CertificateHandleOptions } from './certificate-handles/certificate-handles.js';
import { acmTargetsEnvironment } from './deploy-hooks/acm-import/acm-import-targets.js';
import { ServedProbe } from './probe/served-probe.js';
import { acmeflowEventPattern } from './deploy-hooks/event-patterns.js';
import { SsmDeployHook } from './deploy-hooks/ssm-deploy-hook.js';
import { keyReaderStatements, restrictCertificateKeys } from './iam/certificate-key-policies.js';
import { AcmeflowFunction, PROJECT_ROOT } from './lambda/acmeflow-function.js';
import { accessSuppressions, accessWildcardReasons, grantAccess, type IssuerResources } from './lambda/grant-access.js';
import { EXTRA_HANDLERS, stepEntry, type ExtraHandler } from './lambda/handler-names.js';
import { SecretCleanup } from './lifecycle/secret-cleanup.js';
import { defaultSecretPrefix } from './lifecycle/stack-scoped-names.js';
import { STEP_ACCESS, type FunctionAccess } from '../shared/workflow/machines/step-access.js';
import { DEFAULT_MEMORY_MB, STEP_MEMORY_MB, STEP_TIMEOUT_SECONDS } from './lambda/function-sizing.js';
import { LineageSync } from './lineages/lineage-sync.js';
import { SECRET_REF_PLACEHOLDER } from './lineages/native-props.js';
import { resolveLineages, type ResolvedLineages } from './lineages/resolve-lineages.js';
import { IssuerNotifications } from './notifications/issuer-notifications.js';
import { DEFAULT_SWEEP_CONCURRENCY, LAMBDA_STEPS, type HandlerFolder, type LambdaStep } from '../shared/workflow/machines/index.js';
import { IssuerStateMachines } from './state-machines/issuer-state-machines.js';

/** The schedule of an issuer of 90-day (or longer) certificates: the operator manual's cron line, `0 0,12 * * *`, in UTC. Shorter lifetimes sweep more often (`sweepSchedule`). */
export const DEFAULT_RENEWAL_CRON = { minute: '0', hour: '0,12' } as const;
export const DEFAULT_FLEXIBLE_WINDOW = Duration.minutes(60);
/** The secret prefix of stacks deployed before prefixes were scoped to the stack; give it as `secretPrefix` to keep their secrets. */
export const LEGACY_SECRET_PREFIX = 'acmeflow/';

/** Access of the functions that are not workflow steps. */
const EXTRA_ACCESS: Readonly<Record<ExtraHandler, FunctionAccess>> = {
  // Writes renewal/<name>.json (keeping state), deletes removed lineages, keeps deploy/managed-lineages.json.
  syncLineages: { store: 'write' },
  acmImport: { store: 'read', certificateKeys: 'read' },
  certificateHandle: { store: 'read' },
  // Lists and deletes the run-time secrets on stack delete (statements in infra/lifecycle/secret-cleanup.ts).
  deleteSecrets: {},
  probeEndpoints: { store: 'read' },
};

const S3_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/**
 * A serverless ACME (RFC 8555) issuer: the certificates in its props are issued with DNS-01 at
 * deploy time and renewed by a twice-daily sweep, kept in S3 (versioned, KMS; private keys under
 * `keys/`, or per certificate in Secrets Manager),
 * and announced on EventBridge, where the shipped deploy hooks (ACM import, SSM Run Command writing
 * certbot's layout, SNS) and your own rules pick them up.
 *
 * Resources: a KMS key (rotated) and the certificate bucket (versioned, SSE-KMS, public access
 * blocked, TLS only, old versions expired, access-logged); one Lambda per workflow step
 * (`functions/<step>/handler.ts`, Node.js 22 on arm64, each with its own role scoped by
 * `STEP_ACCESS` and its own log group); the issuance, sweep and revocation state machines of
 * `shared/workflow/machines/`; an EventBridge Scheduler schedule for the sweep; the custom resource that
 * stores the lineage specs and sweeps the changed ones on deploy; notifications and alarms.
 *
 * @example
 * ```ts
 * const issuer = new AcmeIssuer(stack, 'Issuer', {
 *   caAccounts: { jprs: { preset: 'jprs', contact: ['mail@example.jp'], eabSecret: 'acmeflow-eab/jprs', termsOfServiceAgreed: true } },
 *   dnsProviders: { main: { provider: 'route53', config: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' } } },
 *   certificates: [{ domains: ['example.jp', 'www.example.jp'], keyType: 'rsa-2048', ca: 'jprs', dns: 'main' }],
 *   deployHooks: { ssm: [{ targetTagKey: 'acmeflow:deploy', targetTagValues: ['web'] }] },
 * });
 * issuer.onCertificateDeployable('MyHook', { target: new targets.LambdaFunction(myFunction) });
 * ```
 */
export class AcmeIssuer extends Construct {
  /** The resolved lineage specs, as stored in `renewal/<name>.json`. */
  readonly lineages: readonly LineageSpec[];
  /** The KMS key of the bucket's objects and the run-time secrets: `props.encryptionKey`, the given bucket's key, or a new one. */
  readonly key: IKey;
  /** The certificate bucket: `props.bucket`, or a new one. */
  readonly bucket: IBucket;
  /** The access log bucket of a bucket this issuer created (none for `props.bucket`). */
  readonly accessLogsBucket?: Bucket;
  readonly secretPrefix: string;
  readonly eventBus: IEventBus;
  /** The function behind each Lambda step. */
  readonly functions: Readonly<Record<LambdaStep, IFunction>>;
  readonly syncFunction: IFunction;
  readonly issuanceStateMachine: StateMachine;
  readonly sweepStateMachine: StateMachine;
  readonly revocationStateMachine: StateMachine;
  readonly schedule: Schedule;
  readonly lineageSync: LineageSync;
  readonly topic: ITopic;
  readonly alarms: IssuerAlarms;
  /** Undefined with `dashboard: false`. */
  readonly dashboard?: IssuerDashboard;
  readonly acmImportHook?: AcmImportHook;
  /** The served-certificate probe and its alarm; present when a certificate lists endpoints. */
  readonly servedProbe?: ServedProbe;
  readonly ssmDeployHooks: readonly SsmDeployHook[];
  /** With `removalPolicy: DESTROY`: deletes the run-time secrets on stack delete. */
  readonly secretCleanup?: SecretCleanup;

  readonly #resolved: ResolvedLineages;
  #certificateHandles?: CertificateHandles;
  // Kept for certificate(), which adds the completion check's function after the constructor.
  #makeFunction?: (fnId: string, entry: string, description: string, access: FunctionAccess, options: { timeoutSeconds: number }) => AcmeflowFunction;
  #logs?: { readonly logRetention: RetentionDays; readonly logRemovalPolicy: RemovalPolicy };

  constructor(scope: Construct, id: string, props: AcmeIssuerProps) {
    super(scope, id);
    // Server access logs are delivered by bucket policy (not the legacy ACL), which works with BucketOwnerEnforced.
    this.node.setContext(S3_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const stack = Stack.of(this);
    const retention = props.retention ?? {};
    const removalPolicy = retention.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = retention.logRetention ?? RetentionDays.ONE_YEAR;
    const tracing = props.tracing ?? true;
    if (props.sweepConcurrency !== undefined && (!Number.isInteger(props.sweepConcurrency) || props.sweepConcurrency < 1 || props.sweepConcurrency > 10_000)) {
      throw new Error(`sweepConcurrency must be an integer from 1 to 10000 (the Distributed Map's MaxConcurrency), not ${props.sweepConcurrency}.`);
    }
    const sweepConcurrency = props.sweepConcurrency ?? DEFAULT_SWEEP_CONCURRENCY;

    this.#resolved = resolveLineages(props);
    this.lineages = this.#resolved.specs;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;
    for (const spec of this.lineages) {
      const problem = presetProfileProblem(spec);
      if (problem) Annotations.of(this).addWarningV2(`acmeflow:profile-not-listed:${spec.name}`, problem);
    }
    this.eventBus = props.eventBus ?? EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    // Storage -------------------------------------------------------------------------------------
    this.key =
      props.encryptionKey ??
      props.bucket?.encryptionKey ??
      new Key(this, 'Key', {
        description: 'acmeflow: certificate bucket and certificate/account key secrets',
        enableKeyRotation: true,
        removalPolicy,
      });
    if (props.bucket) {
      // The operator's bucket: its policies, lifecycle and removal are the operator's.
      this.bucket = props.bucket;
    } else {
      this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
        // S3 server access logging delivers to SSE-S3 buckets only.
        encryption: BucketEncryption.S3_MANAGED,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365) }],
        removalPolicy,
        // A bucket is deleted only when empty; DESTROY empties it first (every version: CDK's handler deletes versions and delete markers).
        autoDeleteObjects: destroy,
      });
      this.bucket = new Bucket(this, 'Certificates', {
        encryption: BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        versioned: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: 'certificates/',
        lifecycleRules: [
          {
            id: 'ExpireOldVersions',
            noncurrentVersionExpiration: retention.noncurrentVersionExpiration ?? Duration.days(90),
            expiredObjectDeleteMarker: true,
            abortIncompleteMultipartUploadAfter: Duration.days(7),
          },
          { id: 'ExpireSweepObjects', prefix: 'sweeps/', expiration: retention.sweepObjectsExpiration ?? Duration.days(30) },
        ],
        removalPolicy,
        autoDeleteObjects: destroy,
      });
    }
    this.secretPrefix = props.secretPrefix ?? defaultSecretPrefix(this, this.key);
    // Certificate keys under keys/: only the roles collected here read or write them (functions with
    // certificateKeys access, the SSM hooks' instance roles, props.keyReaders).
    const keyRoles: IRole[] = [];
    restrictCertificateKeys(this.bucket, this.key, () => keyRoles);
    const lineageNames = new Set(this.lineages.map((spec) => spec.name));
    for (const [i, reader] of (props.keyReaders ?? []).entries()) {
      const unknown = reader.lineages.filter((name) => !lineageNames.has(name));
      if (reader.lineages.length === 0 || unknown.length > 0) {
        throw new Error(`keyReaders[${i}].lineages: name at least one lineage of this issuer${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}.`);
      }
      for (const statement of keyReaderStatements(this.bucket, this.key, reader.lineages)) reader.role.addToPrincipalPolicy(statement);
      keyRoles.push(reader.role);
    }

    // Functions -----------------------------------------------------------------------------------
    const resources: IssuerResources = {
      bucket: this.bucket,
      key: this.key,
      secretPrefix: this.secretPrefix,
      eventBus: this.eventBus,
      lineages: this.#resolved,
      partition: stack.partition,
    };
    const baseEnvironment = {
      ACMEFLOW_BUCKET: this.bucket.bucketName,
      ACMEFLOW_KMS_KEY_ID: this.key.keyArn,
      ACMEFLOW_SECRET_PREFIX: this.secretPrefix,
      ACMEFLOW_KEY_STORE: props.keyStore ?? DEFAULT_KEY_STORE,
      ACMEFLOW_EVENT_BUS: this.eventBus.eventBusName,
      // One cap on orders in flight across every sweep (scheduled and deploy-time), not per sweep.
      ACMEFLOW_ORDER_SLOTS: String(sweepConcurrency),
    };
    if (props.bundling === 'shared') {
      Annotations.of(this).addWarningV2(
        'acmeflow:bundling-shared',
        "bundling: 'shared' is no longer supported: every function is bundled on its own (functions/<step>/handler.ts), which keeps each bundle to what its step uses. Remove the setting.",
      );
    }
    const makeFunction = (
      fnId: string,
      entry: string,
      description: string,
      access: FunctionAccess,
      options: { timeoutSeconds: number; memoryMb?: number; environment?: Record<string, string>; wildcardResourceReasons?: string[] },
    ) => {
      // One bundle per function, from its own entry: it holds only what its step imports.
      const fn = new AcmeflowFunction(this, fnId, {
        entry: path.join(PROJECT_ROOT, entry),
        description,
        environment: { ...baseEnvironment, ...options.environment },
        timeout: Duration.seconds(options.timeoutSeconds),
        memorySize: options.memoryMb ?? DEFAULT_MEMORY_MB,
        logRetention,
        logRemovalPolicy: removalPolicy,
        tracing,
        wildcardResourceReasons: [...accessWildcardReasons(access, resources), ...(options.wildcardResourceReasons ?? [])],
        ...(props.vpc ? { vpc: props.vpc } : {}),
        ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
        ...(props.securityGroups ? { securityGroups: props.securityGroups } : {}),
      });
      grantAccess(fn.function, access, resources);
      if (access.certificateKeys) keyRoles.push(fn.role);
      // The wildcards these grants need, acknowledged on this role with their reasons.
      const suppressions = accessSuppressions(access, resources);
      if (suppressions.length > 0) NagSuppressions.addResourceSuppressions(fn.role, suppressions, true);
      return fn;
    };

    const functions = {} as Record<LambdaStep, IFunction>;
    const logGroups = {} as Record<LambdaStep, ILogGroup>;
    for (const [step, folder] of Object.entries(LAMBDA_STEPS) as [LambdaStep, HandlerFolder][]) {
      const made = makeFunction(`${step}Function`, stepEntry(folder), `workflow step ${step}`, STEP_ACCESS[step], {
        timeoutSeconds: STEP_TIMEOUT_SECONDS[step],
        ...(STEP_MEMORY_MB[step] ? { memoryMb: STEP_MEMORY_MB[step] } : {}),
        // ACM import runs as the Certificate Deployable hook (after the deploy delay), never inside StoreCertificate.
        environment: { ACMEFLOW_ACM_IMPORT: 'false' },
      });
      functions[step] = made.function;
      logGroups[step] = made.logGroup;
    }
    this.functions = functions;

    // State machines ------------------------------------------------------------------------------
    const machines = new IssuerStateMachines(this, 'Workflows', {
      functions,
      bucket: this.bucket,
      key: this.key,
      sweepConcurrency,
      logRetention,
      removalPolicy,
      tracing,
    });
    this.issuanceStateMachine = machines.issuance;

    // DESTROY: the secrets the functions created go with the stack, before the key that encrypts them.
    if (destroy) {
      const cleanup = makeFunction('DeleteSecretsFunction', EXTRA_HANDLERS.deleteSecrets, 'delete the run-time secrets on stack delete', EXTRA_ACCESS.deleteSecrets, {
        timeoutSeconds: 840,
        wildcardResourceReasons: ['secretsmanager:ListSecrets accepts only Resource "*" (the cleanup lists the secrets under the issuer prefix to delete them).'],
      });
      this.secretCleanup = new SecretCleanup(this, 'SecretCleanup', { onEvent: cleanup.function, onEventRole: cleanup.role, secretPrefix: this.secretPrefix, logRetention });
      this.secretCleanup.node.addDependency(this.key);
      // Deleted after the machines that create secrets, so none appears once the cleanup ran.
      machines.node.addDependency(this.secretCleanup);
    }
    this.sweepStateMachine = machines.sweep;
    this.revocationStateMachine = machines.revocation;

    // Renewal schedule ----------------------------------------------------------------------------
    const schedule = props.renewalSchedule ?? {};
    // The shortest lifetime in the issuer sets the interval (shared/renewal/sweep-schedule.ts).
    const computed = sweepSchedule(this.lineages.map(expectedLifetimeSeconds), {
      ...(schedule.shortestLifetime ? { shortestLifetimeSeconds: schedule.shortestLifetime.toSeconds() } : {}),
    });
    // One expression for the sweep and the served-certificate probe.
    const sweepExpression = schedule.expression ?? ScheduleExpression.cron({ ...computed.cron });
    const sweepWindow = schedule.flexibleWindow ?? Duration.minutes(computed.flexibleWindowMinutes);
    this.schedule = new Schedule(this, 'RenewalSchedule', {
      description: `acmeflow: renewal sweep (certbot renew), ${schedule.expression ? 'on the given schedule' : computed.description}, with jitter`.slice(0, 512),
      schedule: sweepExpression,
      timeWindow: TimeWindow.flexible(sweepWindow),
      enabled: schedule.enabled ?? true,
      target: new StepFunctionsStartExecution(this.sweepStateMachine, { input: ScheduleTargetInput.fromObject({}) }),
    });

    // Deploy-time sync of the certificate list ---------------------------------------------------
    const sync = makeFunction('SyncLineagesFunction', EXTRA_HANDLERS.syncLineages, 'store the certificate list and sweep what changed', EXTRA_ACCESS.syncLineages, {
      // Writes up to 10,000 specs (16 at a time) inside one custom resource call; the provider framework allows 15 minutes.
      timeoutSeconds: 840,
      environment: { ACMEFLOW_SWEEP_STATE_MACHINE_ARN: this.sweepStateMachine.stateMachineArn },
    });
    this.sweepStateMachine.grantStartExecution(sync.function);
    sync.function.addToRolePolicy(
      // deploy/managed-lineages.json: which lineages the previous deploy wrote (to delete those removed since).
      new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects('deploy/managed-lineages.json')] }),
    );
    this.syncFunction = sync.function;
    // Secrets of generated names travel as placeholders in the specs, resolved to their ARN at deploy time.
    const secretRefs = Object.fromEntries([...this.#resolved.secrets].filter(([ref]) => ref.startsWith(SECRET_REF_PLACEHOLDER)).map(([ref, secret]) => [ref, secret.secretArn]));
    this.lineageSync = new LineageSync(this, 'LineageSync', { specs: this.lineages, onEvent: sync.function, logRetention, logRemovalPolicy: removalPolicy, secretRefs });
    // The specs must be in the bucket before anything sweeps them, and the sweep must exist to be started.
    this.lineageSync.node.addDependency(this.sweepStateMachine);

    // Notifications, deploy hooks, alarms ---------------------------------------------------------
    const hooks = props.deployHooks ?? {};
    const notifications = new IssuerNotifications(this, 'Notifications', {
      ...(props.notifications ?? {}),
      eventBus: this.eventBus,
      deployable: hooks.sns ?? true,
      removalPolicy,
    });
    this.topic = notifications.topic;

    const hookFunctions: IFunction[] = [];
    if (hooks.acmImport) {
      const fn = makeFunction('AcmImportFunction', EXTRA_HANDLERS.acmImport, 'deploy hook: import into ACM', EXTRA_ACCESS.acmImport, { timeoutSeconds: 120 });
      this.acmImportHook = new AcmImportHook(this, 'AcmImportHook', {
        ...hooks.acmImport,
        function: fn.function,
        eventBus: this.eventBus,
        bucket: this.bucket,
        key: this.key,
        issuerLineages: this.lineages.map((spec) => spec.name),
      });
      fn.function
        .addEnvironment('ACMEFLOW_ACM_TARGETS', acmTargetsEnvironment(stack, this.acmImportHook.targets))
        .addEnvironment('ACMEFLOW_ACM_ISSUER_TAG', this.acmImportHook.issuerTag);
      hookFunctions.push(fn.function);
    }
    this.#makeFunction = makeFunction;
    this.#logs = { logRetention, logRemovalPolicy: removalPolicy };
    this.ssmDeployHooks = (hooks.ssm ?? []).map(
      (hook, i) =>
        new SsmDeployHook(this, `SsmDeployHook${i}`, {
          ...hook,
          eventBus: this.eventBus,
          secretPrefix: this.secretPrefix,
          key: this.key,
          bucket: this.bucket,
          defaultKeyStore: props.keyStore ?? DEFAULT_KEY_STORE,
          notificationTopic: this.topic,
        }),
    );
    for (const hook of hooks.ssm ?? []) keyRoles.push(...(hook.instanceRoles ?? []));

    // The hooks must be listening before the deploy-time sweep can emit its first Certificate Deployable.
    this.lineageSync.node.addDependency(notifications, ...(this.acmImportHook ? [this.acmImportHook] : []), ...this.ssmDeployHooks);

    // What servers present, when any certificate lists endpoints.
    if (this.lineages.some((spec) => spec.endpoints && spec.endpoints.length > 0)) {
      const probe = makeFunction('ServedProbeFunction', EXTRA_HANDLERS.probeEndpoints, 'probe what the endpoints serve', EXTRA_ACCESS.probeEndpoints, { timeoutSeconds: 300 });
      this.servedProbe = new ServedProbe(this, 'ServedProbe', {
        function: probe.function,
        action: new SnsAction(this.topic),
        schedule: sweepExpression,
        flexibleWindow: sweepWindow,
      });
    }

    this.alarms = new IssuerAlarms(this, 'Alarms', {
      issuance: this.issuanceStateMachine,
      sweep: this.sweepStateMachine,
      bucketName: this.bucket.bucketName,
      ...(props.expiryAlarmDays === undefined ? {} : { expiryAlarmDays: props.expiryAlarmDays }),
      sweepScheduled: schedule.enabled ?? true,
      hookFunctions,
      hookFailureRules: this.ssmDeployHooks.map((hook) => hook.failureRules),
      webhookRules: notifications.webhooks?.rulesByWebhook ?? [],
      recordFailure: this.functions.RecordFailure,
      action: new SnsAction(this.topic),
    });
    if (props.dashboard !== false) {
      this.dashboard = new IssuerDashboard(this, 'Dashboard', {
        issuance: this.issuanceStateMachine,
        sweep: this.sweepStateMachine,
        bucketName: this.bucket.bucketName,
        expiryAlarmDays: props.expiryAlarmDays ?? 14,
        alarms: this.alarms.all(),
        planningLogGroup: logGroups.PlanRenewals,
        ...(typeof props.dashboard === 'object' && props.dashboard.dashboardName ? { dashboardName: props.dashboard.dashboardName } : {}),
      });
    }
  }

  /**
   * A rule on this issuer's bus for one acmeflow event, optionally for some lineages only: how to add
   * your own deploy hooks beside the shipped ones.
   *
   * @example
   * ```ts
   * issuer.onEvent('ReloadNginx', 'Certificate Deployable', { target: new targets.SfnStateMachine(myDeployMachine), lineages: ['example.jp'] });
   * ```
   */
  onEvent(id: string, detailType: EventDetailType, options: { target?: IRuleTarget; lineages?: readonly string[]; description?: string } = {}): Rule {
    return new Rule(this, id, {
      eventBus: this.eventBus,
      eventPattern: acmeflowEventPattern(detailType, options.lineages),
      ...(options.description ? { description: options.description } : {}),
      ...(options.target ? { targets: [options.target] } : {}),
    });
  }

  /** {@link onEvent} for `Certificate Deployable`, the event deploy hooks listen to (after the lineage's deploy delay). */
  onCertificateDeployable(id: string, options: { target?: IRuleTarget; lineages?: readonly string[]; description?: string } = {}): Rule {
    return this.onEvent(id, 'Certificate Deployable', options);
  }

  /**
   * The lineage's certificate in ACM, usable in this app on the first deploy: the deploy waits (a
   * custom resource with a completion check, up to `options.timeout`, 30 minutes by default) until
   * the first issuance is stored and imported by the ACM hook, and fails with the ACME problem and
   * its explanation when it cannot. Renewals re-import under the same ARN, so what uses it needs no
   * change. Needs `deployHooks.acmImport` with a target for the lineage; `options.region` picks
   * among several.
   *
   * @example
   * ```ts
   * const cdn = issuer.certificate('cdn.example.com', { region: 'us-east-1' });
   * new cloudfront.Distribution(this, 'Cdn', { certificate: cdn, domainNames: ['cdn.example.com'], defaultBehavior });
   * listener.addCertificates('Api', [ListenerCertificate.fromCertificateManager(issuer.certificate('api.example.com'))]);
   * ```
   */
  certificate(name: string, options: CertificateHandleOptions = {}): ICertificate {
    if (!this.acmImportHook || !this.#makeFunction) throw new Error(`certificate("${name}") needs the ACM hook: set deployHooks.acmImport.`);
    const check = () =>
      this.#makeFunction!('CertificateHandleCheck', EXTRA_HANDLERS.certificateHandle, 'certificate handle: wait for the first import', EXTRA_ACCESS.certificateHandle, {
        timeoutSeconds: 60,
      });
    this.#certificateHandles ??= new CertificateHandles(this, 'CertificateHandles', {
      hook: this.acmImportHook,
      lineages: this.lineages,
      checkFunction: check().function,
      after: [this.lineageSync],
      ...this.#logs,
    });
    return this.#certificateHandles.certificate(name, options);
  }

  /** The IAM scope derived from the props (zones, secrets, roles): what the tests and the docs show. */
  get resolved(): ResolvedLineages {
    return this.#resolved;
  }
}
