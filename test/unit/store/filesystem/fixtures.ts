import { resolveLineageSpec, type LineageSpecInput } from '../../../../shared/config/index.js';
import type { CertificateVersion, Lineage, LineageState } from '../../../../shared/store/index.js';

/**
 * A lineage with every spec and state field set, the awkward values included (quotes, commas, `#`,
 * nested JSON), so a round trip through the renewal conf shows any field it drops or changes.
 */
export function fullLineage(overrides: Partial<LineageSpecInput> = {}, state: Partial<LineageState> = {}): Lineage {
  const spec = resolveLineageSpec({
    domains: ['example.jp', 'www.example.jp', '*.app.example.jp'],
    keyType: 'rsa-3072',
    ca: {
      preset: 'jprs',
      stagingDirectoryUrl: 'https://staging.acme.example/DV/getDirectory',
      termsOfServiceAgreed: true,
      contact: ['mail@example.jp', 'ops@example.jp'],
      eabRef: 'acmeflow/eab/jprs',
      accountKeyType: 'ecdsa-p384',
      profile: 'tlsserver',
      preferredChain: "ISRG Root X1, the 'old' one # really",
      certbotAccount: '2e48c3a46f5c9b7327ac86e9b40ef680',
      newOrderLimit: { orders: 50, windowSeconds: 3600, ariRenewalsExempt: true },
    },
    dns: {
      provider: 'rfc2136',
      config: { server: '192.0.2.53', port: 5353, note: 'it\'s "quoted", with # and ,', nested: { list: [1, 'two', null] } },
      credentialsRef: '/etc/letsencrypt/rfc2136.ini',
      delegations: { 'example.jp': '_acme-challenge.example.jp.validation.example.net' },
      resolvers: ['127.0.0.1:53', '[::1]:5353'],
      propagationTimeoutSeconds: 1200,
    },
    renewBeforeExpiry: '45 days',
    deployDelay: 900,
    reuseKey: true,
    hooks: {
      preHook: 'systemctl stop haproxy, then # wait',
      deployHook: `cp "$RENEWED_LINEAGE/fullchain.pem" '/srv/tls/' && systemctl reload nginx`,
      postHook: 'logger -t acmeflow "renewal run done"',
    },
    keyStore: 'secretsManager',
    endpoints: ['www.example.jp', { host: '192.0.2.10', port: 8443, sni: 'example.jp' }],
    ...overrides,
  });
  return {
    spec,
    state: {
      currentVersion: 2,
      current: {
        serialHex: '03a1b2c3d4',
        notBefore: '2025-01-01T00:00:00.000Z',
        notAfter: '2025-12-31T23:59:59.000Z',
        domains: ['example.jp', 'www.example.jp', '*.app.example.jp'],
        issuerCommonName: "JPRS DV CA 'G4'",
        ariCertificateId: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
        keyType: 'rsa-3072',
      },
      ari: {
        windowStart: '2025-11-01T00:00:00.000Z',
        windowEnd: '2025-11-03T00:00:00.000Z',
        selectedTime: '2025-11-02T05:06:07.000Z',
        nextCheckAt: '2025-10-02T00:00:00.000Z',
        explanationURL: 'https://ca.example/why?a=1,b=2#x',
      },
      failures: {
        count: 2,
        lastFailureAt: '2025-10-01T00:00:00.000Z',
        retryNotBefore: '2025-10-01T02:00:00.000Z',
        lastError: { name: 'AcmeRateLimitedError', message: 'too many: "retry", later', problemType: 'urn:ietf:params:acme:error:rateLimited' },
      },
      revoked: { at: '2025-06-01T00:00:00.000Z', reason: 'keyCompromise', serialHex: '02' },
      accountUrl: 'https://acme.amecert.jprs.jp/DV/acct/12345',
      issuedAt: '2025-01-01T00:05:00.000Z',
      ...state,
    },
  };
}

/** A plain Let's Encrypt lineage: one name, ECDSA, nothing optional. */
export function minimalLineage(name = 'example.com', domains: string[] = [name]): Lineage {
  return {
    spec: resolveLineageSpec({ name, domains, keyType: 'ecdsa-p256', ca: { preset: 'letsencrypt' }, dns: { provider: 'route53' } }),
    state: { currentVersion: 0 },
  };
}

/** A certificate version with placeholder PEM (the store does not parse certificates). */
export function versionOf(lineage: string, version: number, serial = `0${version}`): CertificateVersion {
  const certPem = `-----BEGIN CERTIFICATE-----\nTUlJQ2VydGlmaWNhdGU${serial}\n-----END CERTIFICATE-----\n`;
  const chainPem = `-----BEGIN CERTIFICATE-----\nSW50ZXJtZWRpYXRl\n-----END CERTIFICATE-----\n`;
  return {
    lineage,
    version,
    certPem,
    chainPem,
    fullchainPem: certPem + chainPem,
    meta: {
      serialHex: serial,
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2025-04-01T00:00:00.000Z',
      domains: [lineage],
      orderUrl: `https://ca.example/order/${version}`,
      issuedAt: '2025-01-01T00:01:00.000Z',
      keyType: 'ecdsa-p256',
    },
  };
}
