import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Certificate, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { Construct, type IDependable } from 'constructs';
import type { LineageSpec } from '../../shared/config/index.js';
import type { AcmImportHook } from '../deploy-hooks/acm-import-hook.js';

/** Options of `issuer.certificate(name, options)`. */
export interface CertificateHandleOptions {
  /** The ACM target's region, when the hook imports the lineage into several. @default the lineage's one target */
  readonly region?: string;
  /** The ACM target's name (`acm`, `acm:us-east-1`, ...), when the region does not tell them apart. @default the lineage's one target */
  readonly target?: string;
  /** How long the first deploy waits for the certificate (the provider's total timeout, at most 2 hours). @default Duration.minutes(30) */
  readonly timeout?: Duration;
}

export interface CertificateHandlesProps {
  /** The ACM hook: its function is the resource's `onEvent` (it can import). */
  readonly hook: AcmImportHook;
  readonly lineages: readonly LineageSpec[];
  /** The completion check (functions/certificate-handle/handler.ts), with read access to the store. */
  readonly checkFunction: IFunction;
  /** What must be deployed before any handle waits (the lineage sync, which starts the first issuance). */
  readonly after: readonly IDependable[];
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export const DEFAULT_CERTIFICATE_TIMEOUT = Duration.minutes(30);
/** How often the completion check reads the lineage. */
export const CERTIFICATE_QUERY_INTERVAL = Duration.seconds(30);

/**
 * The certificate handles of one issuer: for each `(lineage, ACM target)` a custom resource
 * (`Custom::AcmeflowCertificate`) whose provider waits, with an `isCompleteHandler`, until the first
 * certificate is stored and imported, and answers its ARN, wrapped as an `ICertificate`. One
 * provider per distinct timeout (the provider framework's `totalTimeout` is per provider).
 *
 * A Delete does nothing (see functions/certificate-handle/handler.ts), so a failed first deploy rolls
 * back without touching ACM, and the ARN stays in the lineage state for the next attempt.
 *
 * @example
 * ```ts
 * const handles = new CertificateHandles(issuer, 'CertificateHandles', { hook, lineages, checkFunction, after: [lineageSync] });
 * const cdn = handles.certificate('cdn.example.com', { region: 'us-east-1', timeout: Duration.minutes(45) });
 * ```
 */
export class CertificateHandles extends Construct {
  readonly #props: CertificateHandlesProps;
  readonly #providers = new Map<number, Provider>();
  readonly #certificates = new Map<string, ICertificate>();
  /** The custom resources, by `<lineage>@<target>`. */
  readonly resources = new Map<string, CustomResource>();

  constructor(scope: Construct, id: string, props: CertificateHandlesProps) {
    super(scope, id);
    this.#props = props;
  }

  /** The certificate of `lineage` in its ACM target, as an `ICertificate` (see `AcmeIssuer.certificate`). */
  certificate(lineage: string, options: CertificateHandleOptions = {}): ICertificate {
    if (!this.#props.lineages.some((spec) => spec.name === lineage)) {
      throw new Error(`certificate("${lineage}"): no lineage of this issuer has that name (${this.#props.lineages.map((l) => l.name).join(', ')}).`);
    }
    const target = this.#props.hook.targetFor(lineage, options);
    const timeout = options.timeout ?? DEFAULT_CERTIFICATE_TIMEOUT;
    const seconds = timeout.toSeconds();
    if (seconds < 300 || seconds > 7200)
      throw new Error(`certificate("${lineage}"): timeout must be from 5 minutes to 2 hours (the provider framework's limit), not ${seconds} s.`);
    const key = `${lineage}@${target.name}`;
    const existing = this.#certificates.get(key);
    if (existing) {
      return existing;
    }
    const index = this.resources.size;
    const resource = new CustomResource(this, `Certificate${index}`, {
      serviceToken: this.#provider(seconds).serviceToken,
      resourceType: 'Custom::AcmeflowCertificate',
      properties: { Lineage: lineage, Target: target.name, TimeoutSeconds: String(seconds) },
    });
    resource.node.addDependency(...this.#props.after, this.#props.hook);
    const certificate = Certificate.fromCertificateArn(this, `Imported${index}`, resource.getAttString('CertificateArn'));
    this.resources.set(key, resource);
    this.#certificates.set(key, certificate);
    return certificate;
  }

  #provider(totalTimeoutSeconds: number): Provider {
    const existing = this.#providers.get(totalTimeoutSeconds);
    if (existing) return existing;
    const id = `Provider${totalTimeoutSeconds}s`;
    const scope = new Construct(this, id);
    const logGroup = new LogGroup(scope, 'Logs', {
      retention: this.#props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: this.#props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Own roles (no AWSLambdaBasicExecutionRole): each may write the one log group and invoke the two handlers.
    const onEventRole = new Role(scope, 'OnEventRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'acmeflow: certificate handle provider framework (onEvent)',
    });
    const completeRole = new Role(scope, 'CompleteRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'acmeflow: certificate handle provider framework (isComplete, onTimeout)',
    });
    logGroup.grantWrite(onEventRole);
    logGroup.grantWrite(completeRole);
    const provider = new Provider(scope, 'Provider', {
      onEventHandler: this.#props.hook.function,
      isCompleteHandler: this.#props.checkFunction,
      queryInterval: CERTIFICATE_QUERY_INTERVAL,
      totalTimeout: Duration.seconds(totalTimeoutSeconds),
      frameworkOnEventRole: onEventRole,
      frameworkCompleteAndTimeoutRole: completeRole,
      logGroup,
    });
    NagSuppressions.addResourceSuppressions(
      scope,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The provider framework invokes the ACM hook and the completion check, and its waiter state machine the framework functions; CDK grantInvoke also names "<function ARN>:*" (versions and aliases) next to each function ARN. Nothing else is granted.',
          appliesTo: [{ regex: '/^Resource::<.*\\.Arn>:\\*$/g' }],
        },
        {
          id: 'AwsSolutions-SF1',
          reason:
            'The waiter state machine only retries the completion check every 30 s; each check logs what it waits for in the check function\'s own log group, and its logging would need logs:* on Resource "*". The framework leaves it unlogged by default.',
        },
        {
          id: 'AwsSolutions-SF2',
          reason: 'The waiter state machine is created by the custom-resources provider framework, which offers no X-Ray setting; it only retries the completion check.',
        },
      ],
      true,
    );
    this.#providers.set(totalTimeoutSeconds, provider);
    return provider;
  }
}
