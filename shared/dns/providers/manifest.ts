/**
 * The contract every provider folder fulfils (after lego's `providers/dns/<code>/`; the steps to add
 * one are in ARCHITECTURE.md, "How to add a DNS provider"):
 * `providers/<code>/manifest.ts` exports one {@link ProviderManifest} that says what the provider is
 * called, which configuration it takes, where its credentials come from, which permissions it needs,
 * and how to build it. The registry (`registry.ts`) lists them all.
 */
import type { z } from 'zod';
import type { DnsProvider } from '../provider.js';

/** One statement of an IAM policy document, as CloudFormation and `aws iam` take it. */
export interface IamPolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  /** `{ operator: { conditionKey: values } }`, e.g. `{ 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] } }`. */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** An IAM policy document (version 2012-10-17). */
export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamPolicyStatement[];
}

/** What an IAM policy template is filled with; every field has a least-privilege-but-working default. */
export interface IamPolicyScope {
  /** The hosted zones the policy covers (ids with or without `/hostedzone/`). @default every zone (`hostedzone/*`) */
  readonly hostedZoneIds?: readonly string[];
  /**
   * Record name patterns (IAM `StringLike`, lower case, no trailing dot) the policy lets the provider change.
   * Add the delegation targets when `_acme-challenge` names are CNAMEd elsewhere.
   * @default ['_acme-challenge.*']
   */
  readonly recordNames?: readonly string[];
  /** The AWS partition of the ARNs. @default 'aws' */
  readonly partition?: string;
}

/**
 * Describes one DNS provider adapter.
 *
 * `Config` is the output of `configSchema` (defaults applied); `create` receives a config that has
 * already been parsed by `configSchema` (the registry does that) and the dependencies to inject
 * (SDK clients, `fetch`, `sleep`, a warning callback, ...), each optional with a real default.
 *
 * @example
 * ```ts
 * export const exampleManifest: ProviderManifest<ExampleConfig, ExampleDeps> = {
 *   code: 'example',
 *   title: 'Example DNS',
 *   configSchema: exampleConfigSchema,
 *   credentialEnv: ['EXAMPLE_API_TOKEN'],
 *   permissions: 'An API token with the "DNS write" scope on the zones to validate.',
 *   create: (config, deps) => new ExampleDnsProvider(config, deps),
 * };
 * ```
 */
export interface ProviderManifest<Config = unknown, Deps extends object = object> {
  /** The provider code, equal to its folder name and to {@link DnsProvider.code}: `route53`, `cloudflare`, ... */
  readonly code: string;
  /** Human name, for the CLI and the docs: `Amazon Route 53`. */
  readonly title: string;
  /** The zod schema of the provider's configuration (the `dns.config` object of a certificate spec). */
  readonly configSchema: z.ZodType<Config>;
  /** Names of the environment variables the provider (or its SDK) reads credentials from when the config gives none. */
  readonly credentialEnv: readonly string[];
  /** The permissions the credentials need, in words: the IAM actions and conditions, or the API token scope. */
  readonly permissions: string;
  /** A machine-readable IAM policy template, for providers whose credentials are AWS IAM principals. */
  readonly iamPolicy?: (scope?: IamPolicyScope) => IamPolicyDocument;
  /** Build the provider from a parsed config and injected dependencies. Must not perform I/O. */
  create(config: Config, deps?: Deps): DnsProvider;
}
