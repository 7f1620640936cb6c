import { ConfigError, resolveLineageSpec, LINEAGE_NAME, type LineageSpec } from '../../shared/config/index.js';
import { decideRenewal } from '../../shared/renewal/index.js';
import { FilesystemCertificateStore } from '../../shared/store/filesystem/index.js';
import type { StoredLineage } from '../../shared/store/index.js';
import { hasAccount, registerAccount } from '../account.js';
import { parseVerbArgs } from '../args.js';
import { CA_OPTIONS, caFromFlags, eabFromFlags, KEY_OPTIONS, keyTypeFromFlags } from '../ca-flags.js';
import type { CloudCommandContext } from '../cloud/cloud-context.js';
import { cloudDnsFromFlags } from '../cloud/cloud-dns.js';
import { CLOUD_HELP, CLOUD_OPTIONS, CLOUD_SECRET_OPTIONS, cloudTargetFromFlags, EAB_SECRET_FIX, LOCAL_ONLY_FIXES, refuseLocalFlags, secretRefFromFlag } from '../cloud/cloud-flags.js';
import { configDirFrom } from '../config-dir.js';
import { DNS_OPTIONS, dnsFromFlags } from '../dns-flags.js';
import { makeEngine, printIssuance } from '../engine-runner.js';
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

${CLOUD_HELP}
  --eab-secret NAME            the Secrets Manager secret holding the EAB credentials (sets the lineage's ca.eabRef)
  --dns-credentials-secret NAME   the secret holding the DNS provider's credentials (sets dns.credentialsRef)
  With --stack the lineage is written to the stack's bucket and an issuance execution started there;
  secrets never pass through the command (--eab-kid/--eab-hmac-key and credential files are refused).
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
  ...CLOUD_OPTIONS,
  ...CLOUD_SECRET_OPTIONS,
} as const;

/** Flags that only mean something on this machine, and what to do instead with --stack. */
const CLOUD_REFUSED = {
  'eab-kid': EAB_SECRET_FIX,
  'eab-hmac-key': EAB_SECRET_FIX,
  'eab-hmac-alg': EAB_SECRET_FIX,
  'deploy-hook': LOCAL_ONLY_FIXES['deploy-hook'],
  'config-dir': LOCAL_ONLY_FIXES['config-dir'],
};

/** `acmeflow certonly`: validate everything, register if needed, write the lineage, run the issuance. */
export async function certonly(argv: readonly string[], cmd: CloudCommandContext): Promise<number> {
  const { values } = parseVerbArgs('certonly', argv, OPTIONS);
  if (values.help) {
    cmd.out.line(CERTONLY_HELP);
    return 0;
  }
  const cloud = cloudTargetFromFlags('certonly', values);
  if (cloud) refuseLocalFlags(values, CLOUD_REFUSED);
  const configDir = configDirFrom(values['config-dir'], cmd.env);
  // Everything below up to the account check is offline: bad input exits 2 with nothing written.
  // The names are normalised once, by resolveLineageSpec below; the spec is trusted from then on.
  const domains = values.domains ?? [];
  if (domains.length === 0) throw new UsageError('Name the certificate\u2019s domains with -d, e.g. -d example.com,www.example.com.');
  const certName = values['cert-name'];
  if (certName !== undefined && !LINEAGE_NAME.test(certName)) throw new UsageError(`--cert-name ${certName}: use letters, digits, ".", "_" and "-".`);
  const ca = caFromFlags(values);
  const { keyType, defaulted } = keyTypeFromFlags(values, ca.preset);
  const dns = cloud ? cloudDnsFromFlags(values) : await dnsFromFlags(values, (message) => cmd.out.error(`Warning: ${message}`));
  const deployDelay = values['deploy-delay'] === undefined ? undefined : Number(values['deploy-delay']);
  if (deployDelay !== undefined && (!Number.isInteger(deployDelay) || deployDelay < 0 || deployDelay > 86_400)) {
    throw new UsageError(`--deploy-delay ${values['deploy-delay']}: give whole seconds from 0 to 86400.`);
  }
  const eab = eabFromFlags(values);
  const eabRef = secretRefFromFlag('eab-secret', values['eab-secret']);
  let spec: LineageSpec;
  try {
    spec = resolveLineageSpec({
      ...(certName === undefined ? {} : { name: certName }),
      domains,
      keyType,
      ca: {
        ...(ca.preset && ca.preset.directoryUrl === ca.directoryUrl ? { preset: ca.preset.name } : { directoryUrl: ca.directoryUrl }),
        contact: values.email ? values.email.split(',').map((e) => e.trim()) : [],
        termsOfServiceAgreed: values['agree-tos'] ?? false,
        ...(eabRef ? { eabRef } : {}),
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
  const name = spec.name;
  const dryRun = values['dry-run'] ?? false;
  const force = values['force-renewal'] ?? false;
  if (cloud) {
    // The account is the stack's (Secrets Manager); issueInCloud warns about what registering would lack.
    // Cloud mode's AWS clients load only when --stack is given: the local command starts faster.
    const { issueInCloud, openCloudSession } = await import('../cloud/index.js');
    const session = await openCloudSession(cmd, cloud, ['issuanceStateMachineArn']);
    try {
      const existing = await session.store.getLineage(name);
      const notDue = notYetDue(existing, spec, { force, dryRun });
      if (notDue) {
        if (values.json) cmd.out.json({ lineage: name, status: 'NOT_DUE', notAfter: existing?.lineage.state.current?.notAfter });
        else cmd.out.line(notDue);
        return 0;
      }
      if (defaulted && !values.json) cmd.out.line(`Key type: ${keyType} (choose with --key-type rsa|ecdsa).`);
      return await issueInCloud(cmd, session, { spec, existing, force, dryRun, wait: cloud.wait, json: values.json ?? false });
    } finally {
      session.close();
    }
  }
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
      { directoryUrl, email: values.email, agreeTos: values['agree-tos'], eab },
      cmd.log,
      cmd.fetch,
    );
    if (registered.created) cmd.out.line('Account registered.');
  }

  const store = new FilesystemCertificateStore({ configDir });
  const existing = await store.getLineage(name);
  const notDue = notYetDue(existing, spec, { force, dryRun });
  if (notDue) {
    cmd.out.line(notDue);
    return 0;
  }
  const created = !existing;
  await store.putLineage({ spec, state: existing?.lineage.state ?? { currentVersion: 0 } }, { expectedEtag: existing?.etag ?? null });

  const engine = makeEngine(cmd, configDir, {
    ...(values['deploy-hook'] ? { deployHook: values['deploy-hook'] } : {}),
    ...(values['dns-resolver'] ? { resolvers: values['dns-resolver'] } : {}),
  });
  cmd.out.line(`${dryRun ? 'Simulating a certificate request' : 'Requesting a certificate'} for ${spec.domains.join(', ')}`);
  let succeeded = false;
  let failedStep: string | undefined;
  try {
    const outcome = await engine.issue({ lineage: name, force, dryRun });
    succeeded = outcome.status === 'succeeded';
    failedStep = outcome.error?.step;
    return printIssuance(cmd, outcome, { dryRun });
  } finally {
    // A dry run, or a first issuance that failed, leaves no lineage behind (as certbot's certonly) —
    // unless records were published (the run got past PublishRecords) and its cleanup could not
    // remove them: the in-flight marker naming them lives in the lineage, and the next run for it
    // (certonly again, or renew) removes them first.
    if (created && (dryRun || !succeeded)) {
      const after = await store.getLineage(name);
      const published = failedStep === undefined || !NOTHING_PUBLISHED_YET.has(failedStep);
      if (after?.lineage.state.inflight && published) {
        cmd.out.error(
          `Kept the lineage ${name}: its challenge records could not all be removed (${after.lineage.state.inflight.records.map((r) => r.name).join(', ')}). ` +
            `The next "acmeflow certonly" or "acmeflow renew --cert-name ${name}" removes them first.`,
        );
      } else {
        await store.deleteLineage?.(name);
      }
    }
  }
}

/**
 * Steps before every record is published. A failure there is mostly one that changed nothing (no
 * credentials, no such zone), and a lineage kept for it would be written by a command that failed
 * on bad input; the rare PublishRecords failure after some of its changes, followed by a cleanup
 * that fails too, still leaves those records behind.
 */
const NOTHING_PUBLISHED_YET = new Set(['PrepareOrder', 'PublishRecords']);

/**
 * certbot's answer when certonly asks again for a lineage it has, with the same names and key, that
 * is not due: no action. `undefined` means go on and issue.
 */
function notYetDue(existing: StoredLineage | undefined, spec: LineageSpec, options: { force: boolean; dryRun: boolean }): string | undefined {
  if (!existing || options.dryRun || options.force || !sameRequest(existing.lineage.spec, spec)) return undefined;
  const { state } = existing.lineage;
  const decision = decideRenewal({ spec: existing.lineage.spec, state, now: new Date(), random: Math.random });
  if (decision.due || !state.current) return undefined;
  return `Certificate not yet due for renewal; no action taken. (${spec.name} expires on ${state.current.notAfter.slice(0, 10)}; use --force-renewal to renew now.)`;
}

/** certbot keeps a lineage when certonly asks for the same names and key again. */
function sameRequest(a: LineageSpec, b: LineageSpec): boolean {
  return a.keyType === b.keyType && a.ca.directoryUrl === b.ca.directoryUrl && [...a.domains].sort().join() === [...b.domains].sort().join();
}
