import type { IHostedZone } from 'aws-cdk-lib/aws-route53';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import type { CaAccountProps, CertificateProps, DnsProviderProps } from '../../infra/acme-issuer-props.js';
import type { caAccountSchema, certificateSchema, dnsProviderSchema } from '../../shared/config/index.js';

// The prop interfaces are hand-written for their TSDoc; the schema in shared/config is what checks
// them. `tsc --noEmit` fails when a field is added to, dropped from or retyped in only one of them.
describe('construct props and the issuer schema', () => {
  it('CertificateProps is the certificate schema’s input', () => {
    expectTypeOf<CertificateProps>().toEqualTypeOf<Readonly<z.input<typeof certificateSchema>>>();
  });

  // CDK objects (ISecret, IHostedZone) are resolved in infra/lineages/native-props.ts; the rest is the schema's.
  it('CaAccountProps is the CA account schema’s input, with an ISecret accepted for eabSecret', () => {
    expectTypeOf<Omit<CaAccountProps, 'eabSecret'>>().toEqualTypeOf<Omit<Readonly<z.input<typeof caAccountSchema>>, 'eabSecret'>>();
    expectTypeOf<CaAccountProps['eabSecret']>().toEqualTypeOf<z.input<typeof caAccountSchema>['eabSecret'] | ISecret>();
  });

  it('DnsProviderProps is the DNS provider schema’s input, with an ISecret and IHostedZone[] besides', () => {
    expectTypeOf<Omit<DnsProviderProps, 'credentialsSecret' | 'hostedZones'>>().toEqualTypeOf<Omit<Readonly<z.input<typeof dnsProviderSchema>>, 'credentialsSecret'>>();
    expectTypeOf<DnsProviderProps['credentialsSecret']>().toEqualTypeOf<z.input<typeof dnsProviderSchema>['credentialsSecret'] | ISecret>();
    expectTypeOf<DnsProviderProps['hostedZones']>().toEqualTypeOf<readonly IHostedZone[] | undefined>();
  });
});
