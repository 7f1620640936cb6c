import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { AcmeIssuerProps } from '../../infra/acme-issuer-props.js';
import { synthIssuer } from './support/synth.js';

const props: AcmeIssuerProps = {
  caAccounts: { le: { preset: 'letsencrypt', termsOfServiceAgreed: true, profile: 'tlsserver' }, other: { directoryUrl: 'https://ca.example/dir' } },
  dnsProviders: { main: { provider: 'route53', config: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' } } },
  certificates: [
    { domains: ['account-default.example.net'], keyType: 'ecdsa-p256', ca: 'le', dns: 'main' },
    { domains: ['short.example.net'], keyType: 'ecdsa-p256', ca: 'le', dns: 'main', requiredProfile: 'shortlived' },
    { domains: ['typo.example.net'], keyType: 'ecdsa-p256', ca: 'le', dns: 'main', profile: 'shortlive' },
    { domains: ['custom.example.net'], keyType: 'ecdsa-p256', ca: 'other', dns: 'main', requiredProfile: 'whatever' },
  ],
};

describe('AcmeIssuer certificate profiles', () => {
  const s = synthIssuer(props);

  it('writes each certificate\u2019s profile into its lineage: its own, else the CA account\u2019s preferred one', () => {
    const byName = Object.fromEntries(s.issuer.lineages.map((l) => [l.name, l.ca]));
    expect(byName['account-default.example.net']).toMatchObject({ profile: 'tlsserver' });
    expect(byName['account-default.example.net']).not.toHaveProperty('requiredProfile');
    expect(byName['short.example.net']).toMatchObject({ requiredProfile: 'shortlived' });
    expect(byName['short.example.net']).not.toHaveProperty('profile');
    expect(byName['typo.example.net']).toMatchObject({ profile: 'shortlive' });
    expect(byName['custom.example.net']).toMatchObject({ requiredProfile: 'whatever' });
  });

  it('warns at synth about a profile the preset is known not to list, and only then', () => {
    const warnings = Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('not known to list the profile'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringContaining('certificate typo.example.net: letsencrypt is not known to list the profile "shortlive" (it lists classic, shortlived, tlsserver)'),
    ]);
  });

  it('refuses a certificate with both a preferred and a required profile', () => {
    const both: AcmeIssuerProps = {
      ...props,
      certificates: [{ domains: ['both.example.net'], keyType: 'ecdsa-p256', ca: 'le', dns: 'main', profile: 'classic', requiredProfile: 'shortlived' }],
    };
    expect(() => synthIssuer(both)).toThrow(/give one/);
  });
});
