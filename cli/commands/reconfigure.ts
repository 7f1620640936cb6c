import { dnsProviderCodes } from '../../shared/dns/index.js';
import { certNameFromFlag } from '../cert-name.js';
import { DNS_OPTIONS } from '../dns-flags.js';
import { UsageError } from '../usage-error.js';
import type { Verb } from './verb.js';

export const RECONFIGURE_HELP = `Usage: acmeflow reconfigure --cert-name NAME [--dns-PROVIDER [--dns-PROVIDER-credentials FILE] | -a dns-PROVIDER | --manual ...]
                            [--pre-hook CMD] [--deploy-hook CMD] [--post-hook CMD] [--reuse-key | --new-key]

Changes the renewal settings of a lineage (certbot's reconfigure), without issuing: the next renew
uses them. This is how a certbot lineage on an HTTP-01 authenticator or an installer moves to dns-01.
--dns-PROVIDER-credentials FILE alone gives the lineage a new credentials file for the provider it has.
`;

const OPTIONS = {
  'cert-name': { type: 'string' },
  ...DNS_OPTIONS,
  'pre-hook': { type: 'string' },
  'deploy-hook': { type: 'string' },
  'post-hook': { type: 'string' },
  'reuse-key': { type: 'boolean' },
  'new-key': { type: 'boolean' },
} as const;

/** Whether the flags choose a DNS plugin (else the lineage keeps its provider). */
function choosesDns(values: Record<string, unknown>): boolean {
  if (values.dns !== undefined || values.authenticator !== undefined || values.manual === true) return true;
  return dnsProviderCodes.some((code) => values[`dns-${code}`] === true);
}

/** The provider of a `--dns-<code>-credentials FILE` given without choosing a provider (certbot saves it alone too). */
function credentialsAlone(values: Record<string, unknown>): string | undefined {
  const given = dnsProviderCodes.filter((code) => typeof values[`dns-${code}-credentials`] === 'string');
  if (given.length > 1) throw new UsageError(`Give the credentials of one DNS provider, not ${given.map((c) => `--dns-${c}-credentials`).join(' and ')}.`);
  return given[0];
}

/** `acmeflow reconfigure`: certbot's verb for changing a lineage's renewal settings. */
export const reconfigure: Verb<typeof OPTIONS> = {
  name: 'reconfigure',
  help: RECONFIGURE_HELP,
  options: OPTIONS,
  localOnly: {},
  async run(values, backend, cmd) {
    if (!values['cert-name']) throw new UsageError('Name the lineage with --cert-name NAME (see "acmeflow certificates").');
    if (!backend.reconfigure) throw new UsageError('reconfigure acts on this machine\u2019s config directory only.');
    if (values['reuse-key'] && values['new-key']) throw new UsageError('Give --reuse-key or --new-key, not both.');
    const name = certNameFromFlag(values['cert-name']);
    const warn = (message: string) => cmd.out.error(`Warning: ${message}`);
    const dns = choosesDns(values) ? await backend.dnsFromFlags(values, warn) : undefined;
    const alone = dns === undefined ? credentialsAlone(values) : undefined;
    // Checked as when choosing the provider (the file read now; missing or broken: exit 2); the lineage keeps its provider.
    const checked = alone === undefined ? undefined : await backend.dnsFromFlags({ ...values, [`dns-${alone}`]: true }, warn);
    const credentials = alone !== undefined && checked?.credentialsRef !== undefined ? { provider: alone, credentialsRef: checked.credentialsRef } : undefined;
    const hooks = {
      ...(values['pre-hook'] === undefined ? {} : { preHook: values['pre-hook'] }),
      ...(values['deploy-hook'] === undefined ? {} : { deployHook: values['deploy-hook'] }),
      ...(values['post-hook'] === undefined ? {} : { postHook: values['post-hook'] }),
    };
    const reuseKey = values['reuse-key'] ? true : values['new-key'] ? false : undefined;
    await backend.reconfigure({
      name,
      ...(dns ? { dns } : {}),
      ...(credentials ? { credentials } : {}),
      ...(Object.keys(hooks).length > 0 ? { hooks } : {}),
      ...(reuseKey === undefined ? {} : { reuseKey }),
    });
    cmd.out.line(`Successfully updated configuration. Changes will apply when the certificate renews (${name}).`);
    return 0;
  },
};
