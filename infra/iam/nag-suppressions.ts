import { Buffer } from 'node:buffer';
import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * One cdk-nag acknowledgement: the rule, why it does not apply here, and (for granular rules such
 * as AwsSolutions-IAM5) which findings it covers. The shape of cdk-nag's `NagPackSuppression`.
 */
export interface NagAcknowledgement {
  /** The rule id, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why; cdk-nag rejects a reason shorter than 10 characters. */
  readonly reason: string;
  /** The findings it covers: exact finding ids or `{ regex: '/…/' }`. @default every finding of the rule */
  readonly appliesTo?: readonly (string | { readonly regex: string })[];
}

/** The template metadata key cdk-nag reads its acknowledgements from. */
export const CDK_NAG_METADATA_KEY = 'cdk_nag';

/** An acknowledgement in the form cdk-nag stores in template metadata (snake_case; non-Latin-1 reasons base64). */
interface CfnAcknowledgement {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: readonly (string | { readonly regex: string })[];
  readonly is_reason_encoded?: boolean;
}

function toCfnFormat(ack: NagAcknowledgement): CfnAcknowledgement {
  if (ack.reason.length < 10) throw new Error(`cdk-nag acknowledgement ${ack.id} needs a reason of 10 characters or more`);
  const appliesTo = ack.appliesTo ? { applies_to: ack.appliesTo } : {};
  // cdk-nag keeps a reason with characters beyond Latin-1 base64-encoded in the template.
  if ([...ack.reason].some((c) => (c.codePointAt(0) ?? 0) > 255)) {
    return { reason: Buffer.from(ack.reason).toString('base64'), id: ack.id, ...appliesTo, is_reason_encoded: true };
  }
  return { reason: ack.reason, id: ack.id, ...appliesTo };
}

/**
 * Acknowledges cdk-nag rules on `construct` (one or several: its CloudFormation resource, or with `applyToChildren`
 * every resource under it) by writing the `cdk_nag` resource metadata that cdk-nag reads, exactly as
 * its `NagSuppressions.addResourceSuppressions` writes it (`{ rules_to_suppress: [...] }`, merged and
 * de-duplicated with what is there). The construct library does not import cdk-nag, so an app that
 * installs acmeflow needs cdk-nag only if it runs the checks itself.
 *
 * @example
 * ```ts
 * acknowledgeNagRules(fn.role, [{ id: 'AwsSolutions-IAM5', reason: 'X-Ray accepts only Resource "*".', appliesTo: ['Resource::*'] }], true);
 * ```
 */
export function acknowledgeNagRules(construct: IConstruct | readonly IConstruct[], acknowledgements: readonly NagAcknowledgement[], applyToChildren = false): void {
  const entries = acknowledgements.map(toCfnFormat);
  const targets = Array.isArray(construct) ? construct : [construct as IConstruct];
  for (const child of targets.flatMap((target) => (applyToChildren ? target.node.findAll() : [target]))) {
    const resource = child.node.defaultChild ?? child;
    if (!(resource instanceof CfnResource)) continue;
    const existing = (resource.getMetadata(CDK_NAG_METADATA_KEY) as { rules_to_suppress?: CfnAcknowledgement[] } | undefined)?.rules_to_suppress ?? [];
    const serialised = [...new Set([...existing, ...entries].map((entry) => JSON.stringify(entry)))];
    resource.addMetadata(CDK_NAG_METADATA_KEY, { rules_to_suppress: serialised.map((entry) => JSON.parse(entry) as CfnAcknowledgement) });
  }
}

/**
 * The same call shape as cdk-nag's `NagSuppressions`, so the construct's acknowledgements read as
 * cdk-nag's documentation shows them, without cdk-nag at run time.
 */
export const NagSuppressions = {
  addResourceSuppressions: acknowledgeNagRules,
} as const;
