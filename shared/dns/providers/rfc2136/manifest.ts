import type { ProviderManifest } from '../manifest.js';
import { rfc2136ConfigSchema, type Rfc2136Config } from './config.js';
import { RFC2136_ENV, Rfc2136DnsProvider, type Rfc2136Deps } from './rfc2136.js';

/**
 * An example BIND zone statement granting the key exactly what the provider needs: TXT records at
 * `_acme-challenge` names, nothing else (BIND 9 `update-policy`, rule types `name` and `zonesub`).
 */
export const RFC2136_UPDATE_POLICY_EXAMPLE = `zone "example.com" {
    type primary;
    file "example.com.db";
    update-policy {
        // one line per validated name; "zonesub TXT" instead allows TXT anywhere in the zone
        grant acmeflow. name _acme-challenge.example.com. TXT;
        grant acmeflow. name _acme-challenge.www.example.com. TXT;
    };
};`;

/**
 * The RFC 2136 (dynamic update with TSIG) provider: BIND, Knot, PowerDNS, Windows DNS.
 *
 * @example
 * ```ts
 * const dns = rfc2136Manifest.create(rfc2136Manifest.configSchema.parse({ server: '192.0.2.53', credentialsFile: '/etc/letsencrypt/rfc2136.ini' }));
 * ```
 */
export const rfc2136Manifest: ProviderManifest<Rfc2136Config, Rfc2136Deps> & { readonly updatePolicyExample: string } = {
  code: 'rfc2136',
  title: 'RFC 2136 dynamic DNS update (TSIG)',
  configSchema: rfc2136ConfigSchema,
  credentialEnv: [RFC2136_ENV.server, RFC2136_ENV.keyName, RFC2136_ENV.secret, RFC2136_ENV.algorithm],
  permissions:
    'an update-policy grant for the TSIG key on _acme-challenge names, TXT only, on the zone\'s primary server ' +
    '(BIND: `grant <key> name _acme-challenge.<domain>. TXT;` per name); updates arrive over UDP and TCP port 53 from the issuer',
  updatePolicyExample: RFC2136_UPDATE_POLICY_EXAMPLE,
  create: (config, deps) => new Rfc2136DnsProvider(config, deps),
};
