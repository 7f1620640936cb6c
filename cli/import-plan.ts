import type { LineageSpec } from '../shared/config/index.js';
import { readCloudflareCredentials } from '../shared/dns/providers/cloudflare/index.js';
import { readRfc2136Credentials } from '../shared/dns/providers/rfc2136/index.js';
import { FilesystemCertificateStore, FilesystemKeyStore } from '../shared/store/filesystem/index.js';
import type { CertificateVersion, LineageState, StoredAccountKey } from '../shared/store/index.js';
import { accountIdFor } from '../shared/workflow/index.js';
import { UsageError } from './usage-error.js';

/** One lineage to move: everything read from the certbot directory, secrets included (they go to the stack's stores only). */
export interface ImportItem {
  readonly name: string;
  readonly spec: LineageSpec;
  readonly state: LineageState;
  readonly versions: readonly { readonly version: CertificateVersion; readonly keyPem: string }[];
  /** The DNS provider's credentials as the stack's secret holds them (cli/cloud/cloud-dns.ts DNS_SECRET_SHAPES), or none (Route 53: the stack's role). */
  readonly dnsSecret?: Record<string, unknown>;
  readonly account?: StoredAccountKey;
  /** What stays behind on the servers: hooks run here, not in the stack. */
  readonly notes: readonly string[];
}

/** What `import` moves and what it cannot. */
export interface ImportPlan {
  readonly from: string;
  readonly items: readonly ImportItem[];
  readonly refused: readonly { readonly name: string; readonly reason: string }[];
}

/** Providers the stack runs; with the credentials the stack reads from a secret. */
const CLOUD_PROVIDERS = new Set(['route53', 'rfc2136', 'cloudflare']);

/**
 * Reads certbot's (or acmeflow's) config directory into an import plan: each lineage with every
 * version and key, its settings, the DNS credentials its authenticator names and the account at its
 * CA. What the stack cannot take (an HTTP-01 lineage, the manual hooks, a provider the stack has no
 * credentials for) is refused for that lineage alone, with the reason.
 *
 * @example
 * ```ts
 * const plan = await planImport('/etc/letsencrypt', []);
 * plan.refused; // [{ name: 'web.example.com', reason: 'authenticator = webroot: ...' }]
 * ```
 */
export async function planImport(from: string, names: readonly string[]): Promise<ImportPlan> {
  const store = new FilesystemCertificateStore({ configDir: from });
  const keys = new FilesystemKeyStore({ configDir: from });
  const all = (await store.listLineages({ limit: 10_000 })).names;
  for (const name of names) if (!all.includes(name)) throw new UsageError(`--cert-name ${name}: no such certificate in ${from}.`);
  const items: ImportItem[] = [];
  const refused: { name: string; reason: string }[] = [];
  for (const name of names.length > 0 ? names : all) {
    try {
      const stored = await store.getLineage(name);
      if (!stored) continue;
      const { spec, state } = stored.lineage;
      if (!CLOUD_PROVIDERS.has(spec.dns.provider)) {
        refused.push({ name, reason: `the ${spec.dns.provider} DNS provider runs on this machine only; reconfigure the lineage to route53, rfc2136 or cloudflare first` });
        continue;
      }
      if (state.currentVersion === 0) {
        refused.push({ name, reason: 'no certificate was issued yet; issue it in the stack with acmeflow certonly --stack' });
        continue;
      }
      const versions = [];
      for (let n = 1; n <= (await store.latestVersion(name)); n++) {
        const version = await store.getVersion(name, n);
        const keyPem = await keys.getCertificateKey(name, n);
        if (version && keyPem) versions.push({ version, keyPem });
      }
      let dnsSecret: Record<string, unknown> | undefined;
      if (spec.dns.provider === 'rfc2136' && spec.dns.credentialsRef) {
        const c = await readRfc2136Credentials(spec.dns.credentialsRef);
        dnsSecret = { server: c.server, ...(c.port === undefined ? {} : { port: c.port }), tsig: { name: c.tsig.name, algorithm: c.tsig.algorithm, secret: c.tsig.secret } };
      } else if (spec.dns.provider === 'cloudflare' && spec.dns.credentialsRef) {
        dnsSecret = { apiToken: (await readCloudflareCredentials(spec.dns.credentialsRef)).apiToken };
      }
      const account = await keys.getAccountKey(accountIdFor(spec.ca.directoryUrl, spec.ca.certbotAccount));
      const hooks = Object.entries(spec.hooks ?? {}).map(([hook, command]) => `${hook} "${command}" stays on this machine: in the stack, subscribe to "Certificate Deployable" (the SSM hook writes the same live/ files)`);
      items.push({ name, spec, state, versions, ...(dnsSecret ? { dnsSecret } : {}), ...(account ? { account } : {}), notes: hooks });
    } catch (error) {
      refused.push({ name, reason: (error as Error).message });
    }
  }
  return { from, items, refused };
}
