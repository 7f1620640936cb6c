import { FilesystemCertificateStore } from '../../shared/store/filesystem/index.js';
import { parseVerbArgs } from '../args.js';
import type { CloudCommandContext } from '../cloud/cloud-context.js';
import { CLOUD_HELP, CLOUD_OPTIONS, cloudTargetFromFlags, LOCAL_ONLY_FIXES, refuseLocalFlags } from '../cloud/cloud-flags.js';
import { configDirFrom } from '../config-dir.js';
import { makeEngine, printFailure } from '../engine-runner.js';
import { lineageNamed, printUnreadable } from '../unreadable-lineages.js';
import { UsageError } from '../usage-error.js';

export const RENEW_HELP = `Usage: acmeflow renew [--cert-name NAME] [--force-renewal] [--dry-run] [--pre-hook CMD] [--deploy-hook CMD] [--post-hook CMD]

Renews every certificate in the config directory that is due (or only NAME), each with the
settings stored in its lineage. Hooks follow certbot: --pre-hook once before the first renewal,
--deploy-hook once per renewed certificate, --post-hook once after a run that attempted anything.

${CLOUD_HELP}
  With --stack the stack's renewal sweep is started (every due lineage in its bucket, or only --cert-name);
  hooks are EventBridge rules there, not commands here.
`;

const OPTIONS = {
  'cert-name': { type: 'string', multiple: true },
  'force-renewal': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'pre-hook': { type: 'string' },
  'deploy-hook': { type: 'string' },
  'post-hook': { type: 'string' },
  'dns-resolver': { type: 'string', multiple: true },
  ...CLOUD_OPTIONS,
} as const;

/** Flags that only mean something on this machine, and what to do instead with --stack. */
const CLOUD_REFUSED = {
  'pre-hook': LOCAL_ONLY_FIXES['pre-hook'],
  'deploy-hook': LOCAL_ONLY_FIXES['deploy-hook'],
  'post-hook': LOCAL_ONLY_FIXES['post-hook'],
  'dns-resolver': LOCAL_ONLY_FIXES['dns-resolver'],
  'config-dir': LOCAL_ONLY_FIXES['config-dir'],
};

/** `acmeflow renew`: the renewal sweep, run locally (or started in the stack with --stack). */
export async function renew(argv: readonly string[], cmd: CloudCommandContext): Promise<number> {
  const { values } = parseVerbArgs('renew', argv, OPTIONS);
  if (values.help) {
    cmd.out.line(RENEW_HELP);
    return 0;
  }
  const cloud = cloudTargetFromFlags('renew', values);
  if (cloud) {
    refuseLocalFlags(values, CLOUD_REFUSED);
    // Cloud mode's AWS clients load only when --stack is given.
    const { renewInCloud } = await import('../cloud/index.js');
    return renewInCloud(cmd, cloud, {
      names: values['cert-name'] ?? [],
      force: values['force-renewal'] ?? false,
      dryRun: values['dry-run'] ?? false,
      json: values.json ?? false,
    });
  }
  const configDir = configDirFrom(values['config-dir'], cmd.env);
  const store = new FilesystemCertificateStore({ configDir });
  const names = values['cert-name'] ?? [];
  for (const name of names) {
    if (!(await lineageNamed(store, name))) throw new UsageError(`--cert-name ${name}: no such certificate in ${configDir}. See "acmeflow certificates".`);
  }
  const dryRun = values['dry-run'] ?? false;
  const engine = makeEngine(cmd, configDir, {
    ...(values['pre-hook'] ? { preHook: values['pre-hook'] } : {}),
    ...(values['deploy-hook'] && !dryRun ? { deployHook: values['deploy-hook'] } : {}),
    ...(values['post-hook'] ? { postHook: values['post-hook'] } : {}),
    ...(values['dns-resolver'] ? { resolvers: values['dns-resolver'] } : {}),
  });
  const outcome = await engine.sweep({ ...(names.length > 0 ? { lineages: names } : {}), force: values['force-renewal'] ?? false, dryRun });
  // A lineage whose issuance skipped (a cleanup after an abandoned run, or renewed meanwhile) is listed as not due.
  const attempted = new Set(outcome.results.filter((r) => r.status !== 'skipped').map((r) => r.lineage));
  const all = names.length > 0 ? names : (await store.listLineages({ limit: 10_000 })).names;
  const notDue = all.filter((n) => !attempted.has(n) && !outcome.unreadable.some((u) => u.lineage === n));
  const unreadable = values.json ? outcome.unreadable.length > 0 : printUnreadable(cmd, outcome.unreadable);
  if (values.json) {
    cmd.out.json({ ...outcome, notDue });
    return outcome.failed.length > 0 || unreadable ? 1 : 0;
  }
  for (const result of outcome.results) {
    if (result.status === 'succeeded') {
      cmd.out.line(`Renewed ${result.lineage}: ${dryRun ? 'the dry run was successful' : `version ${result.version}, expires ${result.notAfter?.slice(0, 10)}`}.`);
    } else if (result.status === 'failed') printFailure(cmd, result);
  }
  if (notDue.length > 0) {
    cmd.out.line('The following certificates are not due for renewal yet:');
    for (const name of notDue) {
      const lineage = (await store.getLineage(name).catch(() => undefined))?.lineage;
      const expires = lineage?.state.current?.notAfter.slice(0, 10);
      cmd.out.line(`  ${configDir}/live/${name}/fullchain.pem expires on ${expires ?? '(never issued)'} (skipped)`);
    }
  }
  if (outcome.attempted === 0) cmd.out.line('No renewals were attempted.');
  else if (outcome.failed.length === 0) {
    cmd.out.line(`Congratulations, all ${dryRun ? 'simulated renewals' : 'renewals'} succeeded: ${outcome.renewed.join(', ')}`);
  } else {
    cmd.out.error(`${outcome.failed.length} renewal(s) failed: ${outcome.failed.join(', ')}`);
  }
  return outcome.failed.length > 0 || unreadable ? 1 : 0;
}
