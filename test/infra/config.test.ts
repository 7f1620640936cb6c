import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILE, issuerPropsFromConfig, loadIssuerConfig } from '../../infra/config/issuer-config.js';
import { PROJECT_ROOT } from '../../infra/lambda/acmeflow-function.js';
import { resolveLineages } from '../../infra/lineages/resolve-lineages.js';
import { CertbotLayout, formatRenewalConf, parseRenewalConf } from '../../shared/store/filesystem/index.js';
import { fullLineage } from '../unit/store/filesystem/fixtures.js';
import { testIssuerProps } from './support/synth.js';

describe('config file', () => {
  it('loads the example config into the construct props', () => {
    const { stackName, props } = loadIssuerConfig(path.join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));
    expect(stackName).toBe('Acmeflow');
    expect(props.certificates.map((c) => c.domains[0])).toEqual(['example.jp', 'example.com']);
    expect(props.renewalSchedule?.expression?.expressionString).toBe('cron(0 0,12 * * ? *)');
    expect(props.renewalSchedule?.expression?.timeZone?.timezoneName).toBe('Etc/UTC');
    expect(props.renewalSchedule?.flexibleWindow?.toMinutes()).toBe(60);
    expect(props.deployHooks?.ssm?.[0]?.reloadCommand).toBe('systemctl reload httpd');
  });

  it('rejects unknown fields, naming them', () => {
    expect(() => issuerPropsFromConfig({ caAccounts: {}, dnsProviders: {}, certificates: [], sweepConcurency: 5 })).toThrow(/sweepConcurency|Unrecognized/);
    expect(() => issuerPropsFromConfig({ caAccounts: { x: { preset: 'nope' } }, dnsProviders: {}, certificates: [] })).toThrow(/caAccounts\.x\.preset/);
  });

  it('maps retention days and rejects a retention CloudWatch Logs does not offer', () => {
    const { props } = issuerPropsFromConfig({ caAccounts: {}, dnsProviders: {}, certificates: [], retention: { logRetentionDays: 30, noncurrentVersionDays: 10, removalPolicy: 'destroy' } });
    expect(props.retention?.logRetention).toBe(30);
    expect(props.retention?.noncurrentVersionExpiration?.toDays()).toBe(Duration.days(10).toDays());
    expect(() => issuerPropsFromConfig({ caAccounts: {}, dnsProviders: {}, certificates: [], retention: { logRetentionDays: 31 } })).toThrow(/logRetentionDays/);
  });
});

describe('resolveLineages', () => {
  it('derives the IAM scope: zones, record names, lookups, EAB and DNS secrets', () => {
    const resolved = resolveLineages(testIssuerProps());
    expect(resolved.route53).toEqual([
      { provider: 'jp', hostedZoneIds: ['Z0123456789ABCDEFGHIJ'], recordNames: ['_acme-challenge.*'], zoneLookup: false },
      { provider: 'com', hostedZoneIds: ['Z9876543210ZYXWVUTSRQ'], recordNames: ['_acme-challenge.*', 'example-com.acme.example.net'], zoneLookup: true },
    ]);
    expect(resolved.eabSecrets).toEqual(['acmeflow-eab/jprs']);
    expect(resolved.dnsCredentialSecrets).toEqual(['acmeflow-dns/cloudflare']);
    expect(resolved.assumedRoles).toEqual([]);
  });

  it('grants sts:AssumeRole instead of Route 53 when the zone is in another account', () => {
    const roleArn = 'arn:aws:iam::111122223333:role/acmeflow-dns';
    const resolved = resolveLineages({
      caAccounts: { le: { preset: 'letsencrypt' } },
      dnsProviders: { x: { provider: 'route53', config: { roleArn } } },
      certificates: [{ domains: ['example.net'], keyType: 'ecdsa-p256', ca: 'le', dns: 'x' }],
    });
    expect(resolved.route53).toEqual([]);
    expect(resolved.assumedRoles).toEqual([roleArn]);
  });

  const base = testIssuerProps();
  it.each([
    ['a CA that requires EAB without a secret', { ...base, caAccounts: { ...base.caAccounts, jprs: { preset: 'jprs' as const } } }, /caAccounts\.jprs\.eabSecret/],
    ['a Route 53 provider whose zones are unknown', { ...base, dnsProviders: { ...base.dnsProviders, com: { provider: 'route53' } } }, /dnsProviders\.com: give config\.hostedZoneId or hostedZoneIds/],
    ['an unknown CA account', { ...base, certificates: [{ domains: ['a.example'], keyType: 'rsa-2048' as const, ca: 'nope', dns: 'jp' }] }, /certificates\[0\]\.ca/],
    ['two certificates with one name', { ...base, certificates: [base.certificates[0]!, { ...base.certificates[0]! }] }, /a second certificate named "example\.jp"/],
    ['an invalid provider config', { ...base, dnsProviders: { ...base.dnsProviders, cf: { provider: 'cloudflare', config: { zoneId: 'nope' } } } }, /dnsProviders\.cf\.config\.zoneId/],
    ['an invalid domain', { ...base, certificates: [{ ...base.certificates[0]!, domains: ['exa mple.jp'] }] }, /certificates\[0\]\.domains/],
  ])('fails at synth time on %s', (_what, props, message) => {
    expect(() => resolveLineages(props)).toThrow(message);
  });
});

describe('one schema for props, config file and renewal conf', () => {
  const problem = '"soon" is not a duration. Write it like "30 days", "12h" or "P30D".';
  const lineages = (certificate: Record<string, unknown>) => ({
    caAccounts: { le: { preset: 'letsencrypt' } },
    dnsProviders: { main: { provider: 'route53', config: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' } } },
    certificates: [{ domains: ['example.net'], keyType: 'ecdsa-p256', ca: 'le', dns: 'main', ...certificate }],
  });

  it('rejects the same bad renewBeforeExpiry with the same words on all three paths', () => {
    expect(() => resolveLineages(lineages({ renewBeforeExpiry: 'soon' }) as never)).toThrow(`certificates[0].renewBeforeExpiry: ${problem}`);
    expect(() => issuerPropsFromConfig(lineages({ renewBeforeExpiry: 'soon' }))).toThrow(`certificates[0].renewBeforeExpiry: ${problem}`);
    const path = '/etc/letsencrypt/renewal/example.jp.conf';
    const conf = formatRenewalConf(fullLineage(), new CertbotLayout('/etc/letsencrypt')).replace('renew_before_expiry = 45 days', 'renew_before_expiry = soon');
    expect(() => parseRenewalConf(conf, 'example.jp', path)).toThrow(`${path}, line 1: renew_before_expiry: ${problem}`);
  });

  it('reads the same duration as the same seconds from props and from the config file', () => {
    const [fromProps] = resolveLineages(lineages({ renewBeforeExpiry: '45 days' }) as never).specs;
    const { props } = issuerPropsFromConfig(lineages({ renewBeforeExpiry: 'P45D' }));
    expect(fromProps?.renewBeforeExpirySeconds).toBe(45 * 86_400);
    expect(resolveLineages(props).specs[0]?.renewBeforeExpirySeconds).toBe(45 * 86_400);
  });

  it.each([
    ['a deploy delay over a day', { deployDelaySeconds: 86_401 }, /^certificates\[0\]\.deployDelaySeconds: /],
    ['an unknown key type', { keyType: 'dsa' }, /^certificates\[0\]\.keyType: /],
    ['a lineage name with a slash', { name: 'a/b' }, /^certificates\[0\]\.name: use letters, digits/],
  ])('rejects %s in props and in the config file alike', (_what, certificate, message) => {
    const fromProps = (() => {
      try {
        resolveLineages(lineages(certificate) as never);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    })();
    expect(fromProps).toMatch(message);
    expect(() => issuerPropsFromConfig(lineages(certificate))).toThrow(fromProps);
  });
});
