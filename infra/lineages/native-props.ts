import { Token } from 'aws-cdk-lib';
import { CfnSecret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { AcmeIssuerProps, CaAccountProps, DnsProviderProps } from '../acme-issuer-props.js';

/** A secret the operator created: its name or full ARN, or the CDK object. */
export type SecretRef = string | ISecret;

/** The serialisable props (strings only) the one schema checks, and the CDK objects behind them. */
export interface SerialisableLineageProps {
  readonly caAccounts: Readonly<Record<string, Omit<CaAccountProps, 'eabSecret'> & { readonly eabSecret?: string }>>;
  readonly dnsProviders: Readonly<Record<string, Omit<DnsProviderProps, 'credentialsSecret' | 'hostedZones'> & { readonly credentialsSecret?: string }>>;
  /** The `ISecret` behind each reference that came as one, by the reference the specs carry. */
  readonly secrets: ReadonlyMap<string, ISecret>;
}

/** Prefix of the placeholder a spec carries for a secret whose ARN is known only at deploy time. */
export const SECRET_REF_PLACEHOLDER = 'acmeflow-secret-ref:';

/**
 * The name or ARN a lineage spec stores for an `ISecret`, read by the functions at run time. A secret
 * imported by name or ARN (`Secret.fromSecretNameV2`, `fromSecretCompleteArn`, ...) or a `Secret` of
 * this app with a `secretName` has one at synth time. One with a generated name has only a deploy-time
 * ARN: the spec then carries a placeholder, and the deploy-time sync writes the ARN in its place
 * (`SyncLineagesProperties.SecretRefs`, functions/sync-lineages/handler.ts).
 */
function secretReference(secret: ISecret, field: string): string {
  // The complete ARN when known: it also reaches a secret shared from another account.
  if (secret.secretFullArn !== undefined && !Token.isUnresolved(secret.secretFullArn)) return secret.secretFullArn;
  // A Secret created here with a secretName: its ARN is a token, its name is not.
  const cfn = secret.node.defaultChild;
  if (cfn instanceof CfnSecret && typeof cfn.name === 'string' && !Token.isUnresolved(cfn.name)) return cfn.name;
  if (!Token.isUnresolved(secret.secretName)) return secret.secretName;
  if (!Token.isUnresolved(secret.secretArn)) return secret.secretArn;
  return `${SECRET_REF_PLACEHOLDER}${field}`;
}

/**
 * Splits the CDK-native props into what the schema checks (strings: secret names and ARNs, zone ids)
 * and the CDK objects the construct grants on: an `ISecret` becomes its name in the stored spec and
 * is kept by that name for `grantAccess`; `hostedZones` join `hostedZoneIds`.
 *
 * @example
 * ```ts
 * const { caAccounts, dnsProviders, secrets } = serialisableLineageProps(props);
 * ```
 */
export function serialisableLineageProps(props: Pick<AcmeIssuerProps, 'caAccounts' | 'dnsProviders'>): SerialisableLineageProps {
  const secrets = new Map<string, ISecret>();
  const refOf = (ref: SecretRef | undefined, field: string): string | undefined => {
    if (ref === undefined || typeof ref === 'string') return ref;
    const name = secretReference(ref, field);
    secrets.set(name, ref);
    return name;
  };
  const caAccounts = Object.fromEntries(
    Object.entries(props.caAccounts).map(([name, { eabSecret, ...rest }]) => {
      const ref = refOf(eabSecret, `caAccounts.${name}.eabSecret`);
      return [name, { ...rest, ...(ref === undefined ? {} : { eabSecret: ref }) }];
    }),
  );
  const dnsProviders = Object.fromEntries(
    Object.entries(props.dnsProviders).map(([name, { credentialsSecret, hostedZones, ...rest }]) => {
      const ref = refOf(credentialsSecret, `dnsProviders.${name}.credentialsSecret`);
      const zoneIds = [...(rest.hostedZoneIds ?? []), ...(hostedZones ?? []).map((zone) => zone.hostedZoneId)];
      return [
        name,
        {
          ...rest,
          ...(ref === undefined ? {} : { credentialsSecret: ref }),
          ...(rest.hostedZoneIds === undefined && hostedZones === undefined ? {} : { hostedZoneIds: zoneIds }),
        },
      ];
    }),
  );
  return { caAccounts, dnsProviders, secrets };
}
