import 'reflect-metadata';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AcmeIssuer } from '../../../infra/acme-issuer.js';
import type { AcmeIssuerProps } from '../../../infra/acme-issuer-props.js';

export const JP_ZONE = 'Z0123456789ABCDEFGHIJ';
export const COM_ZONE = 'Z9876543210ZYXWVUTSRQ';
export const EAB_SECRET = 'acmeflow-eab/jprs';
export const CLOUDFLARE_SECRET = 'acmeflow-dns/cloudflare';
export const DELEGATION_TARGET = 'example-com.acme.example.net';

/**
 * A few certificates covering every IAM path: a JPRS (EAB) certificate on a Route 53 zone given by
 * id, a Let's Encrypt wildcard on a zone looked up by name with a CNAME delegation, a Cloudflare one
 * with a credentials secret; the ACM and SSM deploy hooks; an e-mail subscription.
 */
export function testIssuerProps(overrides: Partial<AcmeIssuerProps> = {}): AcmeIssuerProps {
  return {
    caAccounts: {
      jprs: { preset: 'jprs', contact: ['mail@example.jp'], eabSecret: EAB_SECRET, termsOfServiceAgreed: true },
      le: { preset: 'letsencrypt', contact: ['hostmaster@example.com'], termsOfServiceAgreed: true },
    },
    dnsProviders: {
      jp: { provider: 'route53', config: { hostedZoneId: JP_ZONE } },
      com: { provider: 'route53', hostedZoneIds: [COM_ZONE] },
      cf: { provider: 'cloudflare', credentialsSecret: CLOUDFLARE_SECRET },
    },
    certificates: [
      { domains: ['example.jp', 'www.example.jp'], keyType: 'rsa-2048', ca: 'jprs', dns: 'jp' },
      { domains: ['example.com', '*.example.com'], keyType: 'ecdsa-p256', ca: 'le', dns: 'com', delegations: { 'example.com': DELEGATION_TARGET } },
      { domains: ['example.org'], keyType: 'ecdsa-p256', ca: 'le', dns: 'cf' },
    ],
    deployHooks: {
      acmImport: { lineages: ['example.com'] },
      ssm: [{ lineages: ['example.jp'], targetTagKey: 'acmeflow:deploy', targetTagValues: ['web'] }],
    },
    notifications: { emails: ['ops@example.jp'] },
    ...overrides,
  };
}

export interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly issuer: AcmeIssuer;
  readonly template: Template;
}

/**
 * Synthesizes a stack with one issuer, offline: a dummy account and region, no bundling (the
 * example-app test bundles for real), no template validation plugin; cdk-nag when asked.
 */
export function synthIssuer(props: AcmeIssuerProps | ((stack: Stack) => AcmeIssuerProps) = testIssuerProps(), options: { nag?: boolean; extend?: (issuer: AcmeIssuer) => void } = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false, treeMetadata: false });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  // A function builds props that need the stack (a role to grant, say).
  const issuer = new AcmeIssuer(stack, 'Issuer', typeof props === 'function' ? props(stack) : props);
  options.extend?.(issuer);
  if (options.nag) Aspects.of(app).add(new AwsSolutionsChecks());
  const template = Template.fromStack(stack);
  return { app, stack, issuer, template };
}

/** Renders `Fn::Join`/`Ref`/`Fn::GetAtt` (and `Fn::Select`/`Fn::Split`) as text (`${AWS::Partition}`, `${Logical.Arn}`), to compare ARNs. */
export function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [fn, args] = Object.entries(value)[0] ?? [];
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map(renderIntrinsic).join(separator);
    }
    if (fn === 'Ref') return `\${${String(args)}}`;
    if (fn === 'Fn::GetAtt') return `\${${(args as string[]).join('.')}}`;
    // The default secret prefix ends with the first group of the KMS key id.
    if (fn === 'Fn::Select') return `\${Select(${String((args as unknown[])[0])},${renderIntrinsic((args as unknown[])[1])})}`;
    if (fn === 'Fn::Split') return `Split(${String((args as unknown[])[0])},${renderIntrinsic((args as unknown[])[1])})`;
  }
  return JSON.stringify(value);
}

export interface FoundStatement {
  /** The logical id of the policy (or role) holding it. */
  readonly holder: string;
  readonly Effect: string;
  readonly Action: string[];
  /** Rendered with {@link renderIntrinsic}. */
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every IAM statement of the template: policies, managed policies and inline role policies. */
export function iamStatements(template: Template): FoundStatement[] {
  const out: FoundStatement[] = [];
  const add = (holder: string, document: { Statement?: unknown[] } | undefined) => {
    for (const raw of document?.Statement ?? []) {
      const s = raw as { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
      out.push({ holder, Effect: s.Effect, Action: asArray(s.Action), Resource: asArray(s.Resource).map(renderIntrinsic), ...(s.Condition ? { Condition: s.Condition } : {}) });
    }
  };
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::Policy'))) add(id, r.Properties.PolicyDocument);
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))) add(id, r.Properties.PolicyDocument);
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const p of r.Properties.Policies ?? []) add(id, p.PolicyDocument);
  }
  return out;
}

/** The statements attached to one role (its policies, managed policies and inline policies). */
export function statementsOfRole(template: Template, roleLogicalId: string): FoundStatement[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const attached = (holder: string) => {
    const r = resources[holder];
    if (!r) return false;
    if (r.Type === 'AWS::IAM::Role') return holder === roleLogicalId;
    return JSON.stringify(r.Properties.Roles ?? []).includes(`"${roleLogicalId}"`);
  };
  return iamStatements(template).filter((st) => attached(st.holder));
}

/** The resolved DefinitionString of a state machine logical id. */
export function definitionOf(template: Template, logicalId: string): Record<string, unknown> {
  const resource = template.toJSON().Resources[logicalId];
  return JSON.parse(renderIntrinsic(resource.Properties.DefinitionString)) as Record<string, unknown>;
}

/** Every `ErrorEquals` name anywhere in a definition (nested Map item processors included). */
export function errorEqualsNames(definition: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'ErrorEquals' && Array.isArray(child)) {
          for (const n of child) names.add(String(n));
        } else walk(child);
      }
    }
  };
  walk(definition);
  return names;
}
