import { CLOUD_OPTIONS } from '../cloud/cloud-flags.js';
import { certNameFromFlag } from '../cert-name.js';
import { planImport, type ImportPlan } from '../import-plan.js';
import type { Output } from '../output.js';
import { UsageError } from '../usage-error.js';
import type { Verb } from './verb.js';

export const IMPORT_HELP = `Usage: acmeflow import --from DIR [--cert-name NAME ...] --stack NAME [--region R] [--dry-run]

Moves certbot's lineages (DIR is certbot's config directory, /etc/letsencrypt) into a deployed stack:
every certificate version and its key, the account at the same CA (no new registration), the renewal
settings, and the DNS provider the authenticator names, its credentials moved into Secrets Manager
(<prefix>dns/<lineage>). The stack renews them from then on; its SSM hook writes the same live/ files
on the servers. --dry-run prints the plan and what cannot be moved, and changes nothing.
`;

const OPTIONS = {
  from: { type: 'string' },
  'cert-name': { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  stack: CLOUD_OPTIONS.stack,
  region: CLOUD_OPTIONS.region,
} as const;

/** `acmeflow import`: the plan is read here (the edge), the stack is written by the backend. */
export const importVerb: Verb<typeof OPTIONS> = {
  name: 'import',
  help: IMPORT_HELP,
  options: OPTIONS,
  localOnly: {},
  async run(values, backend, cmd) {
    if (!values.from) throw new UsageError('import: give certbot\u2019s config directory with --from DIR (e.g. --from /etc/letsencrypt).');
    if (!values.stack || !backend.importLineages) throw new UsageError('import moves lineages into a deployed stack: add --stack NAME.');
    const plan = await planImport(values.from, (values['cert-name'] ?? []).map(certNameFromFlag));
    if (values['dry-run']) return printPlan(cmd.out, plan, values.json ?? false);
    const outcome = await backend.importLineages(plan);
    if (values.json) cmd.out.json(outcome);
    else {
      for (const name of outcome.skipped) cmd.out.line(`${name} is in the stack already; left as it is.`);
      printRefused(cmd.out, plan);
    }
    return outcome.refused.length > 0 ? 1 : 0;
  },
};

function printRefused(out: Output, plan: ImportPlan): void {
  for (const { name, reason } of plan.refused) out.error(`Cannot move ${name}: ${reason}`);
}

/** The plan, public facts only: names, versions, where credentials go; never a key or a credential. */
function printPlan(out: Output, plan: ImportPlan, json: boolean): number {
  const items = plan.items.map((item) => ({
    name: item.name,
    domains: item.spec.domains,
    versions: item.versions.map((v) => v.version.version),
    currentVersion: item.state.currentVersion,
    dnsProvider: item.spec.dns.provider,
    dnsCredentials: item.dnsSecret ? 'moved to Secrets Manager' : 'none (the stack\u2019s role)',
    account: item.account?.accountUrl ?? 'none: the stack registers one',
    notes: item.notes,
  }));
  if (json) {
    out.json({ dryRun: true, from: plan.from, items, refused: plan.refused });
    return plan.refused.length > 0 ? 1 : 0;
  }
  out.line(`Would move from ${plan.from}:`);
  for (const item of items) {
    out.line(`  ${item.name}: ${item.domains.join(' ')}; versions ${item.versions.join(', ')} (current ${item.currentVersion}); dns-${item.dnsProvider}, credentials ${item.dnsCredentials}; account ${item.account}`);
    for (const note of item.notes) out.line(`    ${note}`);
  }
  printRefused(out, plan);
  return plan.refused.length > 0 ? 1 : 0;
}
