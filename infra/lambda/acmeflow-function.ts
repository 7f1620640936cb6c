import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, Code, Function as LambdaFunction, type FunctionOptions, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLE } from './bundle-options.js';

/**
 * The project root (where package.json and package-lock.json are). In the built package this is
 * `lib/`, where `npm run build` put each function's bundle as `functions/<folder>/index.mjs`.
 */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The runtime of every function: Node.js 22 (the project's engine; aws-local-stepfunctions runs the same handlers on it). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;

/** The file `npm run build` writes beside where each function's entry would be (infra/build/build-package.ts). */
export const PREBUILT_BUNDLE_FILE = 'index.mjs';

/** A function has neither its prebuilt bundle nor its TypeScript source: a package built without it. */
export class FunctionCodeMissingError extends Error {
  constructor(entry: string) {
    super(`acmeflow: no code for the function ${entry}: neither its prebuilt ${PREBUILT_BUNDLE_FILE} (npm run build) nor its TypeScript source is there`);
    this.name = 'FunctionCodeMissingError';
  }
}

/**
 * The prebuilt bundle's directory of a function when there is one (the installed package), else
 * undefined (this repository: bundle from source).
 *
 * @example
 * ```ts
 * prebuiltFunctionDir(path.join(PROJECT_ROOT, 'functions/poll-order/handler.ts')); // '<package>/lib/functions/poll-order' once built
 * ```
 */
export function prebuiltFunctionDir(entry: string): string | undefined {
  const dir = path.dirname(entry);
  return existsSync(path.join(dir, PREBUILT_BUNDLE_FILE)) ? dir : undefined;
}

export interface AcmeflowFunctionProps {
  /**
   * Absolute path of the TypeScript entry: the function's own bundle (`functions/<step>/handler.ts`).
   * When `index.mjs` (built by `npm run build`) sits beside it, that prebuilt bundle is deployed as is.
   */
  readonly entry: string;
  /** The entry's export that is the Lambda handler. @default 'handler' */
  readonly handler?: string;
  readonly description: string;
  /** Plain configuration only: names, ARNs, flags. Never a secret. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** X-Ray active tracing. @default true */
  readonly tracing?: boolean;
  /**
   * Why this function's role has statements on Resource "*" besides X-Ray's (the API accepts no
   * narrower resource): acknowledged in one cdk-nag suppression with every reason. @default none
   */
  readonly wildcardResourceReasons?: readonly string[];
  /** Run in this VPC (the role then gets the ENI permissions Lambda needs). @default no VPC */
  readonly vpc?: IVpc;
  /** @default the VPC's private subnets */
  readonly vpcSubnets?: SubnetSelection;
  /** @default one new security group, all outbound allowed */
  readonly securityGroups?: readonly ISecurityGroup[];
}

/**
 * What AWSLambdaVPCAccessExecutionRole grants, written out: Lambda creates and removes the function's
 * network interfaces with its execution role. These EC2 actions accept only Resource "*".
 */
const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** Why an X-Ray-traced function's role has Resource "*". */
export const XRAY_WILDCARD_REASON = 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept only Resource "*" (no resource-level permissions).';

/**
 * One acmeflow Lambda. From the installed package, its prebuilt bundle (`Code.fromAsset`: the
 * consumer's synth needs no esbuild, Docker or lock file of ours); in this repository, a
 * `NodejsFunction` bundled locally by esbuild (no Docker) as ESM for
 * `nodejs22.x` on arm64, one bundle per function from its own entry (so it holds only what its step
 * imports), with the AWS SDK inside the bundle (the versions of package-lock.json, not the
 * runtime's: measured in bench/AWS-RESULTS.md, a bundled SDK also loads faster than the runtime's
 * file by file), structured JSON logs (Lambda's JSON log format; the handlers log through
 * Powertools) into its own log group with retention, and its own role whose only baseline
 * permission is writing to that log group (no `AWSLambdaBasicExecutionRole`).
 *
 * @example
 * ```ts
 * const entry = path.join(PROJECT_ROOT, 'functions/publish-records/handler.ts');
 * const fn = new AcmeflowFunction(this, 'PublishRecords', { entry, description: '…', environment, timeout: Duration.seconds(60) });
 * grantAccess(fn.function, STEP_ACCESS.PublishRecords, resources);
 * ```
 */
export class AcmeflowFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AcmeflowFunctionProps) {
    super(scope, id);
    const tracing = props.tracing ?? true;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `acmeflow: ${props.description}` });
    this.logGroup.grantWrite(this.role);
    if (props.vpc) this.role.addToPolicy(new PolicyStatement({ actions: VPC_ACCESS_ACTIONS, resources: ['*'] }));

    const options: FunctionOptions = {
      description: `acmeflow: ${props.description}`,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: { POWERTOOLS_SERVICE_NAME: 'acmeflow', ...props.environment },
      ...(props.vpc ? { vpc: props.vpc } : {}),
      ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
      ...(props.securityGroups ? { securityGroups: [...props.securityGroups] } : {}),
    };
    const prebuilt = prebuiltFunctionDir(props.entry);
    if (prebuilt) {
      // The bundle `npm run build` made with the same LAMBDA_BUNDLE settings; Lambda loads index.mjs as ESM.
      this.function = new LambdaFunction(this, 'Function', { ...options, runtime: FUNCTION_RUNTIME, code: Code.fromAsset(prebuilt), handler: `index.${props.handler ?? 'handler'}` });
    } else {
      if (!existsSync(props.entry)) throw new FunctionCodeMissingError(props.entry);
      this.function = new NodejsFunction(this, 'Function', {
        ...options,
        entry: props.entry,
        handler: props.handler ?? 'handler',
        runtime: FUNCTION_RUNTIME,
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
        bundling: {
          // LAMBDA_BUNDLE (bundle-options.ts) is the one description of these settings; the benchmarks and
          // the bundle test build from it too.
          forceDockerBundling: false,
          minify: LAMBDA_BUNDLE.minify,
          keepNames: LAMBDA_BUNDLE.keepNames,
          format: OutputFormat.ESM,
          target: LAMBDA_BUNDLE.target,
          banner: LAMBDA_BUNDLE.banner,
          mainFields: [...LAMBDA_BUNDLE.mainFields],
          // The SDK versions the code was tested with (package-lock.json), not whichever the runtime ships.
          bundleAwsSDK: true,
          esbuildArgs: { '--alias': Object.entries(LAMBDA_BUNDLE.aliases).map(([from, to]) => `${from}=${to}`) },
          logLevel: LogLevel.ERROR,
        },
      });
    }

    NagSuppressions.addResourceSuppressions(
      this.function,
      [
        {
          id: 'AwsSolutions-L1',
          reason:
            'Pinned to nodejs22.x on purpose: the project targets Node 22 (package.json engines and its node devDependency), and the local engine runs the same handlers with aws-local-stepfunctions on Node 22; moving to a newer runtime is a deliberate upgrade, not a drift.',
        },
      ],
    );
    const starReasons = [
      ...(tracing ? [XRAY_WILDCARD_REASON] : []),
      ...(props.vpc
        ? [
            'In a VPC: Lambda manages the function\'s network interfaces with its role (ec2:CreateNetworkInterface and the others of AWSLambdaVPCAccessExecutionRole), which accept only Resource "*".',
          ]
        : []),
      ...(props.wildcardResourceReasons ?? []),
    ];
    if (starReasons.length > 0) {
      NagSuppressions.addResourceSuppressions(this.role, [{ id: 'AwsSolutions-IAM5', reason: starReasons.join(' '), appliesTo: ['Resource::*'] }], true);
    }
  }
}
