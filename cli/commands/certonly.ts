import { ConfigError, lineageNameProblem, resolveLineageSpec, type LineageSpec } from '../../shared/config/index.js';
import type { Backend, IssueOutcome, IssueRequest } from '../backend/backend.js';
import { CA_OPTIONS, caFromFlags, eabFromFlags, KEY_OPTIONS, keyTypeFromFlags } from '../ca-flags.js';
import { CLOUD_HELP, CLOUD_OPTIONS, CLOUD_SECRET_OPTIONS, EAB_SECRET_FIX, LOCAL_ONLY_FIXES, secretRefFromFlag } from '../cloud/cloud-flags.js';
import { DNS_OPTIONS, propagationTimeoutFromFlags, resolversFromFlags } from '../dns-flags.js';
import type { Output } from '../output.js';
import { certNameFromFlag } from '../cert-name.js';
import { UsageError } from '../usage-error.js';
import { printIssuanceFailure } from './print-failure.js';
import { hookFailuresJson, printHookFailures } from './print-hook-failures.js';
import type { Verb, VerbValues } from './verb.js';

export const CERTONLY_HELP = `Usage: acmeflow certonly -d NAME[,NAME...] [-d ...] --dns PROVIDER [options]

Obtains a certificate with dns-01 and saves it in certbot's layout under the config directory
(live/<name>/fullchain.pem, privkey.pem, ...). Registers the account first when none exists.

  -d, --domains NAMES          names for the certificate (comma-separated; repeatable); the first names the lineage
  --cert-name NAME             the lineage name (default: the first name); without -d, an existing lineage's names
  --key-type rsa|ecdsa         key type (default: the CA's suggestion, else ecdsa)
  --rsa-key-size 2048|3072|4096
  --elliptic-curve secp256r1|secp384r1
  --dns PROVIDER               route53, rfc2136, cloudflare or acme-dns (or --dns-<provider>)
  --dns-<provider>-credentials FILE   the provider's certbot-format credentials file
  --dns-resolver HOST:PORT     ask this server in the propagation check and for CNAMEs at _acme-challenge
                               instead of the zone's nameservers (repeatable; kept with the lineage for renewals)
  --dns-propagation-timeout SECONDS   how long to wait for the records to reach every server (default 900;
                               kept with the lineage); a cause that waiting cannot fix ends the wait at once
  --server URL | --ca PRESET   the CA (default: letsencrypt); presets: letsencrypt, letsencrypt-staging, zerossl, google, google-staging, jprs
  -m EMAIL --agree-tos         account contact and agreement to the CA's terms (to register)
  --eab-kid KID --eab-hmac-key KEY   External Account Binding credentials from the CA's portal
  --preferred-chain CN         prefer the chain whose top certificate is issued by CN
  --preferred-profile NAME     ask for this ACME profile (e.g. tlsserver, shortlived) when the CA offers it,
                               else take its default, with a note (--profile is the same)
  --required-profile NAME      this ACME profile or nothing: exit 2 before any order when the CA does not offer it
                               (either is kept with the lineage for renewals)
  --renew-before-expiry DUR    renew when less than this is left (e.g. "30 days")
  --pre-hook CMD               run before the certificate is requested
  --deploy-hook CMD            run once the certificate is saved and its deploy delay over (RENEWED_LINEAGE, RENEWED_DOMAINS set)
  --post-hook CMD              run after the attempt, whatever its result
                               (the three are kept in renewal/<name>.conf, as certbot keeps them, and run by later renews;
                               a hook that fails makes the command exit 1)
  -a, --authenticator dns-PROVIDER   certbot's plugin choice; --manual --preferred-challenges dns
                               --manual-auth-hook CMD [--manual-cleanup-hook CMD] runs your commands (certbot's
                               CERTBOT_DOMAIN, CERTBOT_VALIDATION, ... set), then acmeflow checks propagation
  --reuse-key | --new-key      keep the lineage's key on renewal (kept for later renews) or make a new one
  --staging, --test-cert       the CA's staging directory (Let's Encrypt's by default)
  --expand, --keep-until-expiring   accepted, as certbot's non-interactive answers are acmeflow's behaviour
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
  'preferred-profile': { type: 'string' },
  'required-profile': { type: 'string' },
  'renew-before-expiry': { type: 'string' },
  'pre-hook': { type: 'string' },
  'deploy-hook': { type: 'string' },
  'post-hook': { type: 'string' },
  'deploy-delay': { type: 'string' },
  'force-renewal': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  // certbot's choices for an existing lineage: acmeflow's answers are certbot's non-interactive ones
  // (keep a certificate that is not due; replace the lineage's names with -d's), so both are accepted.
  expand: { type: 'boolean' },
  'keep-until-expiring': { type: 'boolean' },
  keep: { type: 'boolean' },
  'reuse-key': { type: 'boolean' },
  'new-key': { type: 'boolean' },
  ...CLOUD_OPTIONS,
  ...CLOUD_SECRET_OPTIONS,
} as const;

/** Flags that only mean something on this machine, and what to do instead with --stack. */
const LOCAL_ONLY = {
  'eab-kid': EAB_SECRET_FIX,
  'eab-hmac-key': EAB_SECRET_FIX,
  'eab-hmac-alg': EAB_SECRET_FIX,
  'pre-hook': LOCAL_ONLY_FIXES['pre-hook'],
  'deploy-hook': LOCAL_ONLY_FIXES['deploy-hook'],
  'post-hook': LOCAL_ONLY_FIXES['post-hook'],
  'config-dir': LOCAL_ONLY_FIXES['config-dir'],
};

/** `acmeflow certonly`: validate everything, then the backend registers if needed, writes the lineage and issues. */
export const certonly: Verb<typeof OPTIONS> = {
  name: 'certonly',
  help: CERTONLY_HELP,
  options: OPTIONS,
  localOnly: LOCAL_ONLY,
  async run(values, backend, cmd) {
    const request = await issueRequestFromFlags(values, backend, cmd.out);
    // certbot's "Successfully received certificate." as soon as it is stored, not after the deploy delay; --json prints one document at the end.
    let early: number | undefined;
    const stored = (outcome: IssueOutcome) => {
      early = printIssueResult(cmd.out, outcome, request, () => undefined);
    };
    const outcome = await backend.issue(request, request.json ? {} : { stored });
    return early === undefined ? printIssueOutcome(cmd.out, outcome, request) : Math.max(early, printHookFailures(cmd.out, outcome.hookFailures));
  },
};

/**
 * certonly's flags as a request, checked offline: bad input is a {@link UsageError} (exit 2) with
 * nothing written. The backend reads the DNS flags, as credentials are a file here and a secret
 * reference in the stack.
 */
export async function issueRequestFromFlags(values: VerbValues<typeof OPTIONS>, backend: Pick<Backend, 'dnsFromFlags' | 'lineageDomains'>, out: Output): Promise<IssueRequest> {
  const certName = values['cert-name'] === undefined ? undefined : certNameFromFlag(values['cert-name']);
  const nameProblem = certName === undefined ? undefined : lineageNameProblem(certName);
  if (values['reuse-key'] && values['new-key']) throw new UsageError('Give --reuse-key or --new-key, not both.');
  if (nameProblem) throw new UsageError(`--cert-name ${certName}: ${nameProblem}.`);
  // The names are normalised once, by resolveLineageSpec below; the spec is trusted from then on.
  const domains = values.domains ?? (certName === undefined ? [] : await existingDomains(certName, backend));
  if (domains.length === 0) throw new UsageError('Name the certificate\u2019s domains with -d, e.g. -d example.com,www.example.com.');
  const resolvers = resolversFromFlags(values);
  const propagationTimeout = propagationTimeoutFromFlags(values);
  const ca = caFromFlags(values);
  const { keyType, defaulted } = keyTypeFromFlags(values, ca.preset);
  const dns = await backend.dnsFromFlags(values, (message) => out.error(`Warning: ${message}`));
  const deployDelay = values['deploy-delay'] === undefined ? undefined : Number(values['deploy-delay']);
  if (deployDelay !== undefined && (!Number.isInteger(deployDelay) || deployDelay < 0 || deployDelay > 86_400)) {
    throw new UsageError(`--deploy-delay ${values['deploy-delay']}: give whole seconds from 0 to 86400.`);
  }
  // Only one of the two is ever given: --eab-kid is refused with --stack, --eab-secret without it.
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
        ...profileFromFlags(values),
      },
      dns: {
        provider: dns.provider,
        config: dns.config,
        ...(dns.credentialsRef ? { credentialsRef: dns.credentialsRef } : {}),
        // Kept with the lineage, like the rest of the DNS choice, so `renew` checks the same servers.
        ...(resolvers ? { resolvers } : {}),
        ...(propagationTimeout === undefined ? {} : { propagationTimeoutSeconds: propagationTimeout }),
      },
      ...(values['renew-before-expiry'] ? { renewBeforeExpiry: values['renew-before-expiry'] } : {}),
      ...(deployDelay === undefined ? {} : { deployDelay }),
      ...(values['reuse-key'] ? { reuseKey: true } : {}),
      // Kept with the lineage, as certbot keeps them in the renewal conf, so a later renew runs them.
      hooks: {
        ...(values['pre-hook'] ? { preHook: values['pre-hook'] } : {}),
        ...(values['deploy-hook'] ? { deployHook: values['deploy-hook'] } : {}),
        ...(values['post-hook'] ? { postHook: values['post-hook'] } : {}),
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  return {
    spec,
    force: values['force-renewal'] ?? false,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    keyTypeDefaulted: defaulted,
    account: { agreeTos: values['agree-tos'] ?? false, ...(values.email ? { email: values.email } : {}), ...(eab ? { eab } : {}) },
    ...(resolvers ? { resolvers } : {}),
  };
}

/** certbot's `certonly --cert-name NAME` without `-d`: the names the lineage has now, as certbot reissues for them. */
async function existingDomains(certName: string, backend: Pick<Backend, 'lineageDomains'>): Promise<readonly string[]> {
  if (!backend.lineageDomains) return [];
  const domains = await backend.lineageDomains(certName);
  if (domains === undefined) throw new UsageError(`--cert-name ${certName}: no such certificate; name its domains with -d to create it (see "acmeflow certificates").`);
  return domains;
}

/** certbot's `--preferred-profile` (`--profile`) and `--required-profile` as the lineage's `ca` fields; both at once is refused. */
function profileFromFlags(values: VerbValues<typeof OPTIONS>): { profile?: string; requiredProfile?: string } {
  const preferred = values['preferred-profile'] ?? values.profile;
  const required = values['required-profile'];
  if (preferred !== undefined && required !== undefined) throw new UsageError('Give --preferred-profile or --required-profile, not both.');
  if (required !== undefined) return { requiredProfile: required };
  return preferred === undefined ? {} : { profile: preferred };
}

/** Prints an issuance's outcome in certbot's words, or as one JSON document; returns the exit code. */
export function printIssueOutcome(out: Output, outcome: IssueOutcome, options: { readonly json: boolean }): number {
  // A failed hook is said after the outcome (the certificate is there all the same) and makes the exit status 1.
  const code = printIssueResult(out, outcome, options, (doc) => out.json({ ...doc, ...hookFailuresJson(outcome.hookFailures) }));
  return Math.max(code, printHookFailures(out, outcome.hookFailures));
}

function printIssueResult(out: Output, outcome: IssueOutcome, options: { readonly json: boolean }, emit: (doc: object) => void): number {
  const { json } = options;
  switch (outcome.status) {
    case 'NOT_DUE':
      if (json) emit({ lineage: outcome.lineage, status: outcome.status, notAfter: outcome.notAfter });
      else out.line(`Certificate not yet due for renewal; no action taken. (${outcome.lineage} expires on ${outcome.notAfter.slice(0, 10)}; use --force-renewal to renew now.)`);
      return 0;
    case 'RUNNING':
      if (json) emit({ lineage: outcome.lineage, ...outcome.execution, status: outcome.status });
      else out.line('It runs in the stack; add --wait to follow it here, or see it in the Step Functions console.');
      return 0;
    case 'SKIPPED':
      if (json) emit({ lineage: outcome.lineage, ...outcome.execution, status: outcome.status });
      else out.line(`${outcome.lineage}: another run renewed it meanwhile; nothing to do.`);
      return 0;
    case 'SUCCEEDED': {
      const { lineage, execution, dryRun, saved } = outcome;
      if (json) {
        const result = dryRun ? { dryRun } : { version: outcome.version, serialHex: outcome.serialHex, notAfter: outcome.notAfter, ...saved?.json };
        emit({ lineage, ...execution, status: outcome.status, ...result });
      } else if (dryRun) out.line('The dry run was successful.');
      else {
        out.line('Successfully received certificate.');
        if (saved) {
          out.line(`Certificate is saved at: ${saved.certificate}`);
          out.line(`Key is saved at:         ${saved.key}`);
        }
        if (outcome.notAfter) out.line(`This certificate expires on ${outcome.notAfter.slice(0, 10)}.`);
      }
      return 0;
    }
    case 'FAILED': {
      const { lineage, execution, error } = outcome;
      const notes = outcome.notes ?? [];
      if (json) {
        emit({ lineage, ...execution, status: execution?.status ?? outcome.status, error });
        for (const note of notes) out.error(note);
      } else {
        // Everything else about the run first: the failure ends with its explanation.
        const context = [...(execution ? [`  Execution ${execution.status}${error?.step ? ` in ${error.step}` : ''}: ${execution.executionArn}`] : []), ...notes];
        printIssuanceFailure(out, outcome, context);
      }
      return 1;
    }
  }
}
