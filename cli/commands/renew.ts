import { explainProblem, shortProblemType } from '../../shared/acme/index.js';
import { sanitizeDisplayText } from '../../shared/text/index.js';
import type { RenewOutcome, RenewRequest, RenewResult } from '../backend/backend.js';
import { CLOUD_HELP, CLOUD_OPTIONS, LOCAL_ONLY_FIXES } from '../cloud/cloud-flags.js';
import { certNameFromFlag } from '../cert-name.js';
import { propagationTimeoutFromFlags, resolversFromFlags } from '../dns-flags.js';
import type { CommandContext } from '../engine-runner.js';
import type { Output } from '../output.js';
import { printUnreadable } from '../unreadable-lineages.js';
import { printFailure, printIssuanceFailure } from './print-failure.js';
import { expiryWarnings } from './expiry-warnings.js';
import { hookFailuresJson, printHookFailures } from './print-hook-failures.js';
import type { Verb, VerbValues } from './verb.js';

export const RENEW_HELP = `Usage: acmeflow renew [--cert-name NAME] [--force-renewal] [--dry-run] [--pre-hook CMD] [--deploy-hook CMD] [--post-hook CMD]
                     [--dns-resolver HOST:PORT] [--dns-propagation-timeout SECONDS]

Renews every certificate in the config directory that is due (or only NAME), each with the
settings stored in its lineage (certbot's own lineages and accounts included). --dry-run simulates
every lineage, due or not, as certbot does. Run without a terminal (cron, a timer), it first waits
a random time of up to 8 minutes, as certbot does, unless --no-random-sleep-on-renew is given. Hooks follow certbot: --pre-hook once before the first renewal,
--deploy-hook once per renewed certificate, --post-hook once after a run that attempted anything.
--dns-propagation-timeout overrides each lineage's wait for this run and, as certbot keeps the flags
of a renewal, is saved into the lineages it renews.

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
  'dns-propagation-timeout': { type: 'string' },
  // certbot's renew takes them; a renewal here keeps each lineage's own settings, as certbot's does.
  'keep-until-expiring': { type: 'boolean' },
  keep: { type: 'boolean' },
  'preferred-challenges': { type: 'string' },
  ...CLOUD_OPTIONS,
} as const;

/** certbot's longest random delay before a non-interactive renew (`random.uniform(1, 60 * 8)`). */
const RANDOM_DELAY_MAX_SECONDS = 480;

/** Flags that only mean something on this machine, and what to do instead with --stack. */
const LOCAL_ONLY = {
  'pre-hook': LOCAL_ONLY_FIXES['pre-hook'],
  'deploy-hook': LOCAL_ONLY_FIXES['deploy-hook'],
  'post-hook': LOCAL_ONLY_FIXES['post-hook'],
  'dns-resolver': LOCAL_ONLY_FIXES['dns-resolver'],
  'dns-propagation-timeout': 'The stack waits as long as each lineage says; set it with "acmeflow certonly --stack ... --cert-name NAME --dns-propagation-timeout SECONDS".',
  'config-dir': LOCAL_ONLY_FIXES['config-dir'],
};

/** `acmeflow renew`: the renewal sweep. */
export const renew: Verb<typeof OPTIONS> = {
  name: 'renew',
  help: RENEW_HELP,
  options: OPTIONS,
  localOnly: LOCAL_ONLY,
  async run(values, backend, cmd) {
    const request = renewRequestFromFlags(values, cmd);
    return printRenewOutcome(cmd.out, await backend.renew(request), request);
  },
};

function renewRequestFromFlags(values: VerbValues<typeof OPTIONS>, cmd: CommandContext): RenewRequest {
  const randomDelay = cmd.interactive === false && !values['no-random-sleep-on-renew'];
  // ACMEFLOW_RANDOM_SLEEP_MAX_SECONDS: a shorter ceiling (0: none) where the fleet is small or a test runs the command.
  const ceiling = Number(cmd.env.ACMEFLOW_RANDOM_SLEEP_MAX_SECONDS ?? RANDOM_DELAY_MAX_SECONDS);
  return {
    names: (values['cert-name'] ?? []).map(certNameFromFlag),
    force: values['force-renewal'] ?? false,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    hooks: {
      ...(values['pre-hook'] ? { preHook: values['pre-hook'] } : {}),
      ...(values['deploy-hook'] ? { deployHook: values['deploy-hook'] } : {}),
      ...(values['post-hook'] ? { postHook: values['post-hook'] } : {}),
    },
    ...(values['dns-resolver'] ? { resolvers: resolversFromFlags(values) } : {}),
    ...(values['dns-propagation-timeout'] === undefined ? {} : { propagationTimeoutSeconds: propagationTimeoutFromFlags(values) as number }),
    ...(randomDelay && Number.isFinite(ceiling) && ceiling > 0 ? { randomDelayMaxSeconds: ceiling } : {}),
  };
}

/** certbot's renew report, or one JSON document; exit 1 when the sweep or any renewal failed. */
export function printRenewOutcome(out: Output, outcome: RenewOutcome, options: { readonly json: boolean }): number {
  if (outcome.status === 'RUNNING') {
    const { execution } = outcome;
    if (options.json) out.json({ ...execution, status: outcome.status });
    else {
      out.line(`Renewal sweep started in stack ${execution.stack} (${execution.region}): ${execution.executionArn}`);
      out.line('It renews what is due there; add --wait to follow it here.');
    }
    return 0;
  }
  if (outcome.status === 'FAILED') {
    const { execution, error } = outcome;
    if (options.json) out.json({ ...execution, error });
    else {
      out.error(`The renewal sweep ${execution.executionName} ${execution.status === 'FAILED' ? 'failed' : `ended ${execution.status}`}: ${error.name}${error.step ? ` in ${error.step}` : ''}.`);
      printFailure(out, error);
    }
    return 1;
  }
  // A lineage that could not be read was not renewed: the run fails (exit 1) while the others renew.
  // So does a failed hook: certbot only logs it, and a cron job would never know.
  const unreadable = outcome.unreadable ?? [];
  const exitCode = outcome.failed.length > 0 || unreadable.length > 0 || (outcome.hookFailures?.length ?? 0) > 0 ? 1 : 0;
  if (options.json) {
    out.json({ ...(outcome.json as object), ...hookFailuresJson(outcome.hookFailures) });
    for (const warning of expiryWarnings(outcome.results, Date.now())) out.error(warning);
    printHookFailures(out, outcome.hookFailures);
    return exitCode;
  }
  const { dryRun } = outcome;
  for (const result of outcome.results) {
    if (result.status === 'succeeded') {
      out.line(`Renewed ${result.lineage}: ${dryRun ? 'the dry run was successful' : `version ${result.version}, expires ${result.notAfter?.slice(0, 10)}`}.`);
      // The CA moved this certificate's renewal window (a mass revocation, an incident): say where it explains why.
      if (result.ariExplanationURL) out.line(`  The CA asked for this renewal early; its explanation: ${sanitizeDisplayText(result.ariExplanationURL)}`);
    }
    else if (result.status === 'skipped') {
      if (result.skipReason === 'locked') out.line(`${result.lineage}: another run is renewing it right now; nothing to do.`);
      else if (result.skipReason === 'onHold') out.line(`${result.lineage}: the CA's limit on new orders for this account is reached; the next renew tries again.`);
      else out.line(`${result.lineage}: another run renewed it meanwhile; nothing to do.`);
    }
  }
  const notDue = outcome.notDue ?? [];
  if (notDue.length > 0) {
    out.line('The following certificates are not due for renewal yet:');
    for (const lineage of notDue) out.line(`  ${lineage.certificatePath} expires on ${lineage.notAfter?.slice(0, 10) ?? '(never issued)'} (skipped)`);
  } else if (outcome.skipped > 0 && outcome.listCommand) {
    out.line(`${outcome.skipped} certificate(s) not due for renewal yet (skipped); see "${outcome.listCommand}".`);
  }
  if (outcome.attempted === 0) out.line('No renewals were attempted.');
  else if (outcome.failed.length === 0 && (outcome.hookFailures?.length ?? 0) > 0) {
    out.error(`All ${dryRun ? 'simulated renewals' : 'renewals'} succeeded (${outcome.renewed.join(', ')}), but ${outcome.hookFailures?.length} hook(s) failed:`);
  } else if (outcome.failed.length === 0) out.line(`Congratulations, all ${dryRun ? 'simulated renewals' : 'renewals'} succeeded: ${outcome.renewed.join(', ')}`);
  printHookFailures(out, outcome.hookFailures);
  // The summary comes first and each failure after it, so the output ends, as every failure does, with an explanation.
  if (outcome.failed.length > 0) out.error(`${outcome.failed.length} renewal(s) failed: ${outcome.failed.join(', ')}`);
  for (const warning of expiryWarnings(outcome.results, Date.now())) out.error(warning);
  for (const result of outcome.results) {
    if (result.status !== 'failed') continue;
    if (result.recorded) printRecordedFailure(out, result.lineage, result.recorded);
    else printIssuanceFailure(out, result);
  }
  printUnreadable(out, unreadable);
  return exitCode;
}

/**
 * A lineage that failed, from the failure it recorded (the stack's sweep: its child executions are
 * the place for the full problem document; the "Certificate Issuance Failed" event carries it too).
 */
function printRecordedFailure(out: Output, lineage: string, recorded: NonNullable<Extract<RenewResult, { status: 'failed' }>['recorded']>): void {
  const { name, message, problemType } = recorded.lastError;
  out.error(`Certificate for ${lineage} failed: ${name}.`);
  out.error(`  ${message}`);
  out.error(`  Next try after ${recorded.retryNotBefore} (failure ${recorded.count}); lineage ${recorded.lineageUrl}`);
  if (!problemType) {
    out.explained(name);
    return;
  }
  const explanation = explainProblem(problemType);
  out.error(`  ${out.lang === 'ja' ? explanation.ja : explanation.en}`);
  out.error(`  More: acmeflow explain ${shortProblemType(problemType)}`);
}
