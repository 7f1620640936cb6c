import type { OptionSpec } from '../args.js';
import { UsageError } from '../usage-error.js';

/** The flags that switch a verb to cloud mode: work on a deployed stack instead of this machine. */
export const CLOUD_OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  wait: { type: 'boolean' },
} as const satisfies OptionSpec;

/** certonly's cloud-only flags: references to secrets the stack reads, never the secrets themselves. */
export const CLOUD_SECRET_OPTIONS = {
  'eab-secret': { type: 'string' },
  'dns-credentials-secret': { type: 'string' },
} as const satisfies OptionSpec;

export const CLOUD_HELP = `Cloud mode (the deployed stack instead of this machine):
  --stack NAME                 the acmeflow CloudFormation stack (its outputs name the bucket and state machines)
  --region R                   its region (default: AWS_REGION or the profile's)
  --wait                       follow the execution until it ends and print the outcome (exit 1 if it failed)`;

/** Where cloud mode works, from `--stack`/`--region`/`--wait`. */
export interface CloudTarget {
  /** A stack name or stack id (ARN). */
  readonly stackName: string;
  /** `--region`; absent: the SDK's chain decides. */
  readonly region?: string;
  readonly wait: boolean;
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[A-Za-z0-9-]+$/;
const REGION = /^[a-z]{2,}(-[a-z]+)+-\d+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/**
 * Reads the cloud flags; `undefined` means local mode. Cloud-only flags without `--stack` are a
 * {@link UsageError}, so a forgotten `--stack` never runs the command on this machine by surprise.
 *
 * @example
 * ```ts
 * cloudTargetFromFlags('renew', { stack: 'Acmeflow', region: 'ap-northeast-1', wait: true });
 * // { stackName: 'Acmeflow', region: 'ap-northeast-1', wait: true }
 * ```
 */
export function cloudTargetFromFlags(verb: string, values: Record<string, unknown>): CloudTarget | undefined {
  const stack = values.stack as string | undefined;
  if (stack === undefined) {
    for (const flag of ['region', 'wait', 'eab-secret', 'dns-credentials-secret']) {
      if (values[flag] === undefined) continue;
      const local =
        flag === 'eab-secret'
          ? ' Locally, give the EAB credentials with --eab-kid and --eab-hmac-key.'
          : flag === 'dns-credentials-secret'
            ? ' Locally, give the provider\u2019s credentials file with --dns-<provider>-credentials FILE.'
            : '';
      throw new UsageError(`--${flag} goes with --stack NAME (cloud mode); without --stack, acmeflow ${verb} works on this machine.${local}`);
    }
    return undefined;
  }
  if (!STACK_NAME.test(stack) && !STACK_ARN.test(stack)) {
    throw new UsageError(`--stack ${stack}: not a CloudFormation stack name (letters, digits and "-", starting with a letter) or stack ARN.`);
  }
  const region = values.region as string | undefined;
  if (region !== undefined && !REGION.test(region)) throw new UsageError(`--region ${region}: not an AWS region name (e.g. ap-northeast-1, us-east-1).`);
  return { stackName: stack, ...(region === undefined ? {} : { region }), wait: values.wait === true };
}

/**
 * Refuses, in cloud mode, flags that only make sense on this machine, each with its fix.
 * `fixes` maps a flag (without `--`) to the sentence that says what to do instead.
 */
export function refuseLocalFlags(values: Record<string, unknown>, fixes: Readonly<Record<string, string>>): void {
  for (const [flag, fix] of Object.entries(fixes)) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag}: not in cloud mode (--stack). ${fix}`);
  }
}

/** Fixes shared by the verbs. */
export const LOCAL_ONLY_FIXES = {
  'config-dir':
    'In cloud mode lineages live in the stack\u2019s bucket; nothing is read from or written to a config directory. Drop --config-dir, or drop --stack to work on this machine.',
  'pre-hook': hookFix('pre-hook'),
  'deploy-hook': hookFix('deploy-hook'),
  'post-hook': hookFix('post-hook'),
  'dns-resolver':
    'The stack checks propagation with the resolvers kept in each lineage; set them with "acmeflow certonly --stack ... --dns-resolver HOST:PORT".',
} as const;

function hookFix(flag: string): string {
  return (
    `--${flag} runs a command on this machine; the stack tells the account through EventBridge instead. ` +
    'Add a rule on the "Certificate Deployable" or "Renewal Sweep Completed" events (source "acmeflow"), or use the AcmeIssuer construct\u2019s deploy hooks.'
  );
}

/** EAB credentials on the command line in cloud mode: where they go instead. */
export const EAB_SECRET_FIX =
  'Secrets never pass through this command in cloud mode. Put the EAB credentials from the CA\u2019s portal in a Secrets Manager secret in the stack\u2019s region, ' +
  'as JSON {"kid":"<key id>","hmacKey":"<base64url HMAC key>","algorithm":"HS256"} ' +
  '(e.g. aws secretsmanager create-secret --name acmeflow/eab/<ca> --secret-string file://eab.json), ' +
  'then give --eab-secret NAME: it sets the lineage\u2019s ca.eabRef, and the stack reads the secret when it registers the account.';

/** `--eab-secret` / `--dns-credentials-secret`: a Secrets Manager secret name or ARN (a reference, not a value). */
export function secretRefFromFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!SECRET_NAME.test(value) && !SECRET_ARN.test(value)) {
    throw new UsageError(`--${flag} ${value}: give the name or ARN of a Secrets Manager secret (letters, digits and /_+=.@-), not the credentials themselves.`);
  }
  return value;
}
