import { Token } from 'aws-cdk-lib';
import { CfnSecret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigError } from '../../shared/config/index.js';
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

/**
 * The name or ARN a lineage spec stores for an `ISecret`: the functions read it at run time, so it
 * must be known at synth time (the specs travel as a file). A secret imported by name or ARN
 * (`Secret.fromSecretNameV2`, `fromSecretCompleteArn`, `fromSecretPartialArn`) has one, and so does a
 * `Secret` created in this app with a `secretName`; one with a generated name has only deploy-time
 * tokens, so it is refused with the way out.
 */
function secretReference(secret: ISecret, field: string): string {
  // The complete ARN when known: it also reaches a secret shared from another account.
  if (secret.secretFullArn !== undefined && !Token.isUnresolved(secret.secretFullArn)) return secret.secretFullArn;
  // A Secret created here with a secretName: its ARN is a token, its name is not.
  const cfn = secret.node.defaultChild;
  if (cfn instanceof CfnSecret && typeof cfn.name === 'string' && !Token.isUnresolved(cfn.name)) return cfn.name;
  if (!Token.isUnresolved(secret.secretName)) return secret.secretName;
  if (!Token.isUnresolved(secret.secretArn)) return secret.secretArn;
  throw new ConfigError(
    `${field}: this secret's name is only known at deploy time. Give the secret a name and pass it by name (Secret.fromSecretNameV2(this, 'Eab', 'acmeflow-eab/jprs')), or pass the name as a string.`,
    { field },
  );
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
