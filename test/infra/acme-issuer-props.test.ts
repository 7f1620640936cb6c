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

  it('CaAccountProps is the CA account schema’s input', () => {
    expectTypeOf<CaAccountProps>().toEqualTypeOf<Readonly<z.input<typeof caAccountSchema>>>();
  });

  it('DnsProviderProps is the DNS provider schema’s input', () => {
    expectTypeOf<DnsProviderProps>().toEqualTypeOf<Readonly<z.input<typeof dnsProviderSchema>>>();
  });
});
