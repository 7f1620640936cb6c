import { Arn, ArnFormat, type Stack, Token } from 'aws-cdk-lib';
import { acmDeploymentName } from '../../../shared/store/acm/acm-deployment.js';
import type { AcmImportHookProps, AcmImportTargetProps } from '../../acme-issuer-props.js';

/** One ACM target of the hook, resolved at synth time. */
export interface ResolvedAcmTarget {
  /** Where the lineage state keeps its ARN (`deployments[name]`). */
  readonly name: string;
  /** The ACM region as given; undefined: the stack's. */
  readonly region?: string;
  /** The account the certificates land in: the role's, else the stack's. */
  readonly account: string;
  readonly roleArn?: string;
  readonly lineages?: readonly string[];
}

/**
 * The hook's targets: `props.targets`, or the one target of `props.region` / `props.roleArn`. Each
 * gets its deployment name (`acm`, `acm:<region>`, `acm:<account>:<region>`, or its own `name`);
 * names must differ, and a target whose role ARN or region is a token must be named.
 *
 * @example
 * ```ts
 * resolveAcmTargets(stack, { targets: [{ region: 'us-east-1', lineages: ['cdn.example.com'] }, { lineages: ['api.example.com'] }] });
 * // [{ name: 'acm:us-east-1', region: 'us-east-1', account, lineages: ['cdn.example.com'] }, { name: 'acm', account, lineages: ['api.example.com'] }]
 * ```
 */
export function resolveAcmTargets(stack: Stack, props: AcmImportHookProps): ResolvedAcmTarget[] {
  const given: readonly AcmImportTargetProps[] = props.targets ?? [
    { ...(props.region === undefined ? {} : { region: props.region }), ...(props.roleArn === undefined ? {} : { roleArn: props.roleArn }) },
  ];
  if (given.length === 0) throw new Error("deployHooks.acmImport.targets: give at least one target, or leave it out for one in the stack's region.");
  const names = new Set<string>();
  return given.map((t, i) => {
    const lineages = t.lineages ?? props.lineages;
    const roleAccount = t.roleArn === undefined || Token.isUnresolved(t.roleArn) ? undefined : Arn.split(t.roleArn, ArnFormat.SLASH_RESOURCE_NAME).account;
    if (t.roleArn !== undefined && !Token.isUnresolved(t.roleArn) && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(t.roleArn)) {
      throw new Error(`deployHooks.acmImport.targets[${i}].roleArn is not an IAM role ARN: ${t.roleArn}`);
    }
    if (t.name === undefined && ((t.roleArn !== undefined && roleAccount === undefined) || (t.region !== undefined && Token.isUnresolved(t.region)))) {
      throw new Error(`deployHooks.acmImport.targets[${i}]: a target whose region or role ARN is only known at deploy time needs a name.`);
    }
    const name = t.name ?? acmDeploymentName({ ...(t.region === undefined ? {} : { region: t.region }), ...(roleAccount === undefined ? {} : { account: roleAccount }) });
    if (!/^acm(:[\w-]+)*$/.test(name)) throw new Error(`deployHooks.acmImport.targets[${i}].name must be "acm" or start with "acm:", not "${name}".`);
    if (names.has(name)) throw new Error(`deployHooks.acmImport.targets: two targets are named "${name}"; give one a different region, role or name.`);
    names.add(name);
    return {
      name,
      ...(t.region === undefined ? {} : { region: t.region }),
      account: roleAccount ?? stack.account,
      ...(t.roleArn === undefined ? {} : { roleArn: t.roleArn }),
      ...(lineages === undefined ? {} : { lineages }),
    };
  });
}

/** ACMEFLOW_ACM_TARGETS, as `parseAcmTargets` (functions/acm-import/targets.ts) reads it; tokens resolve at deploy. */
export function acmTargetsEnvironment(stack: Stack, targets: readonly ResolvedAcmTarget[]): string {
  return stack.toJsonString(
    targets.map((t) => ({
      name: t.name,
      ...(t.region === undefined ? {} : { region: t.region }),
      ...(t.roleArn === undefined ? {} : { roleArn: t.roleArn }),
      ...(t.lineages === undefined ? {} : { lineages: t.lineages }),
    })),
  );
}
