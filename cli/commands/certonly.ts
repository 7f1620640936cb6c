import { ConfigError, normalizeDomains, resolveLineageSpec, LINEAGE_NAME, type LineageSpec } from '../../shared/config/index.js';
import { decideRenewal } from '../../shared/renewal/index.js';
import { FilesystemCertificateStore } from '../../shared/store/filesystem/index.js';
import { hasAccount, registerAccount, eabFromFlags } from '../account.js';
import { parseVerbArgs } from '../args.js';
import { CA_OPTIONS, caFromFlags, KEY_OPTIONS, keyTypeFromFlags } from '../ca-flags.js';
import { configDirFrom } from '../config-dir.js';
import { DNS_OPTIONS, dnsFromFlags } from '../dns-flags.js';
import { makeEngine, printIssuance, type CommandContext } from '../engine-runner.js';
import { UsageError } from '../usage-error.js';

export const CERTONLY_HELP = `Usage: acmeflow certonly -d NAME[,NAME...] [-d ...] --dns PROVIDER [options]

Obtains a certificate with dns-01 and saves it in certbot's layout under the config directory
(live/<name>/fullchain.pem, privkey.pem, ...). Registers the account first when none exists.

  -d, --domains NAMES          names for the certificate (comma-separated; repeatable); the first names the lineage
  --cert-name NAME             the lineage name (default: the first name)
  --key-type rsa|ecdsa         key type (default: the CA's suggestion, else ecdsa)
  --rsa-key-size 2048|3072|4096
  --elliptic-curve secp256r1|secp384r1
  --dns PROVIDER               route53, rfc2136, cloudflare or acme-dns (or --dns-<provider>)
  --dns-<provider>-credentials FILE   the provider's certbot-format credentials file
  --dns-resolver HOST:PORT     ask this server in the propagation check instead of the zone's nameservers
                               (repeatable; kept with the lineage for renewals)
  --server URL | --ca PRESET   the CA (default: letsencrypt); presets: letsencrypt, letsencrypt-staging, zerossl, google, google-staging, jprs
  -m EMAIL --agree-tos         account contact and agreement to the CA's terms (to register)
  --eab-kid KID --eab-hmac-key KEY   External Account Binding credentials from the CA's portal
  --preferred-chain CN         prefer the chain whose top certificate is issued by CN
  --profile NAME               an ACME profile the CA offers
  --renew-before-expiry DUR    renew when less than this is left (e.g. "30 days")
  --deploy-hook CMD            run after the certificate is saved (RENEWED_LINEAGE, RENEWED_DOMAINS set)
  --deploy-delay SECONDS       wait this long after issuance before the deploy hook (default: the CA's, 600 for jprs)
  --force-renewal              issue even if the lineage's certificate is not due
  --dry-run                    go through the whole issuance against the CA's staging directory, saving nothing
  --config-dir DIR  -v  --json --non-interactive
`;

const OPTIONS = {
  domains: { type: 'string', short: 'd', multiple: true },
  'cert-name': { type: 'string' },
  ...KEY_OPTIONS,
  ...DNS_OPTIONS,
  ...CA_OPTIONS,
  'preferred-chain': { type: 'string' },
  profile: { type: 'string' },
  'renew-before-expiry': { type: 'string' },
  'deploy-hook': { type: 'string' },
  'deploy-delay': { type: 'string' },
  'force-renewal': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

/** `acmeflow certonly`: validate everything, register if needed, write the lineage, run the issuance. */
export async function certonly(argv: readonly string[], cmd: CommandContext): Promise<number> {
  const { values } = parseVerbArgs('certonly', argv, OPTIONS);
  if (values.help) {
    cmd.out.line(CERTONLY_HELP);
    return 0;
  }
  const configDir = configDirFrom(values['config-dir'], cmd.env);
  // Everything below up to the account check is offline: bad input exits 2 with nothing written.
  const domains = normalizeDomainsOrUsage(values.domains ?? []);
  const name = values['cert-name'] ?? (domains[0] as string).replace(/^\*\./, '');
  if (!LINEAGE_NAME.test(name)) throw new UsageError(`--cert-name ${name}: use letters, digits, ".", "_" and "-".`);
  const ca = caFromFlags(values);
  const { keyType, defaulted } = keyTypeFromFlags(values, ca.preset);
  const dns = await dnsFromFlags(values, (message) => cmd.out.error(`Warning: ${message}`));
  const deployDelay = values['deploy-delay'] === undefined ? undefined : Number(values['deploy-delay']);
  if (deployDelay !== undefined && (!Number.isInteger(deployDelay) || deployDelay < 0 || deployDelay > 86_400)) {
    throw new UsageError(`--deploy-delay ${values['deploy-delay']}: give whole seconds from 0 to 86400.`);
  }
  const eab = eabFromFlags({ eabKid: values['eab-kid'], eabHmacKey: values['eab-hmac-key'], eabAlgorithm: values['eab-hmac-alg'] });
  let spec: LineageSpec;
  try {
    spec = resolveLineageSpec({
      name,
      domains,
      keyType,
      ca: {
        ...(ca.preset && ca.preset.directoryUrl === ca.directoryUrl ? { preset: ca.preset.name } : { directoryUrl: ca.directoryUrl }),
        contact: values.email ? values.email.split(',').map((e) => e.trim()) : [],
        termsOfServiceAgreed: values['agree-tos'] ?? false,
        ...(values['preferred-chain'] ? { preferredChain: values['preferred-chain'] } : {}),
        ...(values.profile ? { profile: values.profile } : {}),
      },
      dns: {
        provider: dns.provider,
        config: dns.config,
        ...(dns.credentialsRef ? { credentialsRef: dns.credentialsRef } : {}),
        // Kept with the lineage, like the rest of the DNS choice, so `renew` checks the same servers.
        ...(values['dns-resolver'] ? { resolvers: values['dns-resolver'] } : {}),
      },
      ...(values['renew-before-expiry'] ? { renewBeforeExpiry: values['renew-before-expiry'] } : {}),
      ...(deployDelay === undefined ? {} : { deployDelay }),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const dryRun = values['dry-run'] ?? false;
  const directoryUrl = dryRun ? (spec.ca.stagingDirectoryUrl ?? spec.ca.directoryUrl) : spec.ca.directoryUrl;
  const accountUrl = await hasAccount(configDir, directoryUrl);
  if (!accountUrl && !values['agree-tos']) {
    throw new UsageError(`No account is registered with ${directoryUrl} yet. Add --agree-tos (and -m EMAIL) to register one, or run "acmeflow register" first.`);
  }
  if (!accountUrl && ca.preset?.externalAccountRequired && !eab) {
    throw new UsageError(`${ca.preset.name} requires External Account Binding: add --eab-kid and --eab-hmac-key from the CA's portal.`);
  }
  if (defaulted) cmd.out.line(`Key type: ${keyType} (choose with --key-type rsa|ecdsa).`);

  // Network from here on.
  if (!accountUrl) {
    const registered = await registerAccount(
      configDir,
      { directoryUrl, email: values.email, agreeTos: values['agree-tos'], eabKid: values['eab-kid'], eabHmacKey: values['eab-hmac-key'], eabAlgorithm: values['eab-hmac-alg'] },
      cmd.log,
      cmd.fetch,
    );
    if (registered.created) cmd.out.line('Account registered.');
  }

  const store = new FilesystemCertificateStore({ configDir });
  const existing = await store.getLineage(name);
  if (existing && !dryRun && !values['force-renewal'] && sameRequest(existing.lineage.spec, spec)) {
    const decision = decideRenewal({ spec: existing.lineage.spec, state: existing.lineage.state, now: new Date(), random: Math.random });
    if (!decision.due && existing.lineage.state.current) {
      cmd.out.line(`Certificate not yet due for renewal; no action taken. (${name} expires on ${existing.lineage.state.current.notAfter.slice(0, 10)}; use --force-renewal to renew now.)`);
      return 0;
    }
  }
  const created = !existing;
  await store.putLineage({ spec, state: existing?.lineage.state ?? { currentVersion: 0 } }, { expectedEtag: existing?.etag ?? null });

  const engine = makeEngine(cmd, configDir, {
    ...(values['deploy-hook'] ? { deployHook: values['deploy-hook'] } : {}),
    ...(values['dns-resolver'] ? { resolvers: values['dns-resolver'] } : {}),
  });
  cmd.out.line(`${dryRun ? 'Simulating a certificate request' : 'Requesting a certificate'} for ${spec.domains.join(', ')}`);
  let succeeded = false;
  try {
    const outcome = await engine.issue({ lineage: name, force: values['force-renewal'] ?? false, dryRun });
    succeeded = outcome.status === 'succeeded';
    return printIssuance(cmd, outcome, { dryRun });
  } finally {
    // A dry run, or a first issuance that failed, leaves no lineage behind (as certbot's certonly).
    if (created && (dryRun || !succeeded)) await store.deleteLineage?.(name);
  }
}

function normalizeDomainsOrUsage(inputs: readonly string[]): string[] {
  if (inputs.length === 0) throw new UsageError('Name the certificate\u2019s domains with -d, e.g. -d example.com,www.example.com.');
  try {
    return normalizeDomains(inputs);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** certbot keeps a lineage when certonly asks for the same names and key again. */
function sameRequest(a: LineageSpec, b: LineageSpec): boolean {
  return a.keyType === b.keyType && a.ca.directoryUrl === b.ca.directoryUrl && [...a.domains].sort().join() === [...b.domains].sort().join();
}
