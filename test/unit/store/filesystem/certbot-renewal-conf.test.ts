/**
 * Renewal confs the real certbot 2.1 wrote (no [acmeflow] section): read with the names and state
 * of the certificate live/ serves, written back with certbot's keys kept so certbot renews them too.
 */
import { describe, expect, it } from 'vitest';
import { CertbotLayout, formatRenewalConf, parseRenewalConf } from '../../../../shared/store/filesystem/index.js';
import { parseConfigObj } from '../../../../shared/store/filesystem/configobj.js';
import type { LiveCertificateFacts } from '../../../../shared/store/filesystem/live-certificate-facts.js';

const layout = new CertbotLayout('/etc/letsencrypt');
const PATH = '/etc/letsencrypt/renewal/cb.example.test.conf';

const live: LiveCertificateFacts = {
  version: 3,
  current: { serialHex: '7a4c616041861ad7', notBefore: '2026-12-08T02:20:40.000Z', notAfter: '2027-03-08T02:20:40.000Z', domains: ['cb.example.test', 'www.cb.example.test'] },
};

/** As certbot 2.1.0 writes it after `certonly --dns-rfc2136 --deploy-hook ...`. */
const RFC2136 = `# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/cb.example.test
cert = /etc/letsencrypt/live/cb.example.test/cert.pem
privkey = /etc/letsencrypt/live/cb.example.test/privkey.pem
chain = /etc/letsencrypt/live/cb.example.test/chain.pem
fullchain = /etc/letsencrypt/live/cb.example.test/fullchain.pem

# Options used in the renewal process
[renewalparams]
account = 2e48c3a46f5c9b7327ac86e9b40ef680
renew_hook = systemctl reload nginx
pre_hook = echo pre
post_hook = echo post
config_dir = /etc/letsencrypt
server = https://127.0.0.1:14000/dir
authenticator = dns-rfc2136
dns_rfc2136_propagation_seconds = 1
dns_rfc2136_credentials = /etc/letsencrypt/rfc2136.ini
key_type = rsa
rsa_key_size = 3072
reuse_key = True
preferred_chain = ISRG Root X1
`;

function caught(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected an error');
}

describe('a renewal conf certbot wrote', () => {
  it('reads as a lineage: names and state from live/, every certbot setting honoured', () => {
    const { spec, state } = parseRenewalConf(RFC2136, 'cb.example.test', PATH, live);
    expect(spec).toMatchObject({
      name: 'cb.example.test',
      domains: ['cb.example.test', 'www.cb.example.test'],
      keyType: 'rsa-3072',
      reuseKey: true,
      ca: { directoryUrl: 'https://127.0.0.1:14000/dir', preferredChain: 'ISRG Root X1' },
      dns: { provider: 'rfc2136', credentialsRef: '/etc/letsencrypt/rfc2136.ini' },
      hooks: { preHook: 'echo pre', deployHook: 'systemctl reload nginx', postHook: 'echo post' },
    });
    expect(state).toEqual({ currentVersion: 3, current: live.current });
  });

  it('is written back with certbot\u2019s keys (account, credentials, hooks, its own options) and no autorenew = False', () => {
    const lineage = parseRenewalConf(RFC2136, 'cb.example.test', PATH, live);
    const text = formatRenewalConf({ ...lineage, state: { ...lineage.state, issuedAt: '2026-12-08T03:00:00.000Z' } }, layout, parseConfigObj(RFC2136, PATH));
    for (const kept of [
      'account = 2e48c3a46f5c9b7327ac86e9b40ef680',
      'renew_hook = systemctl reload nginx',
      'authenticator = dns-rfc2136',
      'dns_rfc2136_credentials = /etc/letsencrypt/rfc2136.ini',
      'dns_rfc2136_propagation_seconds = 1',
      'config_dir = /etc/letsencrypt',
      'rsa_key_size = 3072',
      'reuse_key = True',
    ]) {
      expect(text).toContain(`\n${kept}\n`);
    }
    expect(text).not.toContain('autorenew');
    // Read again, now with [acmeflow], it is the same lineage.
    expect(parseRenewalConf(text, 'cb.example.test', PATH, live).spec).toEqual(lineage.spec);
  });

  it('follows live/ when certbot renewed after acmeflow last wrote the conf', () => {
    const lineage = parseRenewalConf(RFC2136, 'cb.example.test', PATH, live);
    const text = formatRenewalConf(lineage, layout, parseConfigObj(RFC2136, PATH));
    const renewed: LiveCertificateFacts = { version: 4, current: { ...live.current, serialHex: '01ff', notAfter: '2027-06-01T00:00:00.000Z' } };
    expect(parseRenewalConf(text, 'cb.example.test', PATH, renewed).state).toMatchObject({ currentVersion: 4, current: { serialHex: '01ff' } });
  });

  it('reads certbot\u2019s manual plugin with dns-01 as the manual provider and writes its hooks back where certbot reads them', () => {
    const conf = RFC2136.replace('authenticator = dns-rfc2136\n', 'authenticator = manual\nmanual_auth_hook = /usr/local/bin/add "x y"\nmanual_cleanup_hook = /usr/local/bin/del\npref_challs = dns-01,\n');
    const lineage = parseRenewalConf(conf, 'cb.example.test', PATH, live);
    expect(lineage.spec.dns).toMatchObject({ provider: 'manual', config: { authHook: '/usr/local/bin/add "x y"', cleanupHook: '/usr/local/bin/del' } });
    const text = formatRenewalConf(lineage, layout, parseConfigObj(conf, PATH));
    expect(text).toContain("\nmanual_auth_hook = '/usr/local/bin/add \"x y\"'\n");
    expect(text).toContain('\npref_challs = dns-01,\n');
    expect(text).not.toContain('dns_config');
  });

  it.each([
    ['dns-cloudflare', 'dns_cloudflare_credentials = /etc/letsencrypt/cloudflare.ini', { provider: 'cloudflare', credentialsRef: '/etc/letsencrypt/cloudflare.ini' }],
    ['dns-route53', '', { provider: 'route53' }],
  ])('reads certbot\u2019s %s plugin with its own credentials key', (plugin, credentials, dns) => {
    const conf = RFC2136.replace('authenticator = dns-rfc2136', `authenticator = ${plugin}`).replace('dns_rfc2136_credentials = /etc/letsencrypt/rfc2136.ini', credentials);
    const lineage = parseRenewalConf(conf, 'cb.example.test', PATH, live);
    expect(lineage.spec.dns).toMatchObject(dns);
    if (plugin === 'dns-route53') expect(lineage.spec.dns.credentialsRef).toBeUndefined();
    expect(formatRenewalConf(lineage, layout, parseConfigObj(conf, PATH))).toContain(`\nauthenticator = ${plugin}\n`);
  });

  it.each([
    ['authenticator = webroot', 'authenticator = webroot'],
    ['authenticator = manual', 'authenticator = manual without pref_challs = dns-01'],
    ['authenticator = dns-rfc2136\ninstaller = apache', 'installer = apache'],
  ])('refuses %j for this lineage alone, naming the command that converts it', (replacement, said) => {
    const error = caught(() => parseRenewalConf(RFC2136.replace('authenticator = dns-rfc2136', replacement), 'cb.example.test', PATH, live));
    expect(error.name).toBe('RenewalConfError');
    expect(error.message).toContain(said);
    expect(error.message).toContain('acmeflow reconfigure --cert-name cb.example.test --dns-<provider>');
  });
});
