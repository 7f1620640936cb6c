import { describe, expect, it } from 'vitest';
import { parseRfc2136Config } from '../../../../../shared/dns/providers/rfc2136/config.js';
import { rfc2136Manifest } from '../../../../../shared/dns/providers/rfc2136/manifest.js';

const SECRET = Buffer.from('s'.repeat(32)).toString('base64');

describe('parseRfc2136Config', () => {
  it('applies defaults and normalizes the algorithm and zone', () => {
    expect(parseRfc2136Config({ server: '192.0.2.53', zone: 'Example.COM.', tsig: { name: 'acmeflow.', algorithm: 'HMAC-SHA512', secret: SECRET } })).toEqual({
      server: '192.0.2.53',
      zone: 'example.com',
      tsig: { name: 'acmeflow.', algorithm: 'hmac-sha512', secret: SECRET },
      ttl: 60,
      timeoutMs: 5000,
      signQuery: false,
    });
    expect(parseRfc2136Config({ server: 'ns', tsig: { name: 'k', secret: SECRET } }).tsig?.algorithm).toBe('hmac-sha256');
  });

  it('throws a typed error listing problems, never echoing values', () => {
    const secret = 'definitely-not-base64!';
    let error: unknown;
    try {
      parseRfc2136Config({ server: 'ns', port: 0, tsig: { name: 'k', algorithm: 'hmac-sha3', secret }, extra: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'Rfc2136ConfigError' });
    const { issues, message } = error as { issues: string[]; message: string };
    expect(issues).toEqual(
      expect.arrayContaining([expect.stringMatching(/^port: /), expect.stringMatching(/^tsig\.algorithm: /), expect.stringMatching(/^tsig\.secret: /), expect.stringMatching(/^\(config\): /)]),
    );
    expect(message).not.toContain(secret);
  });
});

describe('rfc2136Manifest', () => {
  it('describes the provider and builds it without I/O', () => {
    expect(rfc2136Manifest.code).toBe('rfc2136');
    expect(rfc2136Manifest.permissions).toContain('update-policy');
    expect(rfc2136Manifest.updatePolicyExample).toMatch(/grant \S+ name _acme-challenge\.example\.com\. TXT;/);
    expect(rfc2136Manifest.credentialEnv).toEqual(['RFC2136_NAMESERVER', 'RFC2136_TSIG_KEY', 'RFC2136_TSIG_SECRET', 'RFC2136_TSIG_ALGORITHM']);
    const config = rfc2136Manifest.configSchema.parse({ server: '192.0.2.53', credentialsFile: '/nonexistent/rfc2136.ini' });
    expect(rfc2136Manifest.create(config).code).toBe('rfc2136');
  });
});
