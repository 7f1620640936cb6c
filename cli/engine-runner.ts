import type { AcmeProblem, FetchFunction } from '../shared/acme/index.js';
import type { Logger } from '../shared/workflow/index.js';
import { LocalEngine, type IssuanceOutcome, type LocalEngineOptions } from '../engine/index.js';
import type { Output } from './output.js';

/** What every verb gets: the environment, the console, and a logger for the workflow. */
export interface CommandContext {
  readonly env: Record<string, string | undefined>;
  readonly out: Output;
  readonly log: Logger;
  /** For tests: scale the engine's Wait states (the CA's Retry-After). @default 1 */
  readonly waitScale?: number;
  /** The ACME fetch. @default the ACME layer's node:http/https transport (shared/http) */
  readonly fetch?: FetchFunction;
}

/** Progress phrases per state, for a person at a terminal. */
const STEP_PHRASES: Record<string, string> = {
  PrepareOrder: 'Creating the order',
  PublishRecords: 'Publishing the _acme-challenge TXT records',
  CheckPropagation: 'Waiting for the records to reach the authoritative nameservers',
  RespondChallenges: 'Asking the CA to validate',
  PollAuthorizations: 'Waiting for the CA to validate',
  FinalizeOrder: 'Finalizing the order with a new key',
  PollOrder: 'Waiting for the certificate',
  StoreCertificate: 'Saving the certificate',
  CleanupRecords: 'Removing the TXT records',
  'Wait deploy delay': 'Waiting the deploy delay before the deploy hook',
};

export function makeEngine(
  cmd: CommandContext,
  configDir: string,
  options: { deployHook?: string; preHook?: string; postHook?: string; resolvers?: string[] },
): LocalEngine {
  const seen = new Set<string>();
  // Hook commands and their output are shown as certbot shows them; other log lines follow -v.
  const log: Logger = {
    info: (message, fields) => (fields && 'hook' in fields ? cmd.out.line(message) : cmd.log.info(message, fields)),
    warn: (message, fields) => cmd.log.warn(message, fields),
    error: (message, fields) => (fields && 'hook' in fields ? cmd.out.error(message) : cmd.log.error(message, fields)),
  };
  const engineOptions: LocalEngineOptions = {
    configDir,
    log,
    hooks: {
      ...(options.preHook ? { preHook: options.preHook } : {}),
      ...(options.deployHook ? { deployHook: options.deployHook } : {}),
      ...(options.postHook ? { postHook: options.postHook } : {}),
    },
    ...(options.resolvers && options.resolvers.length > 0 ? { resolvers: options.resolvers } : {}),
    ...(cmd.waitScale === undefined ? {} : { waitScale: cmd.waitScale }),
    ...(cmd.fetch ? { fetch: cmd.fetch } : {}),
    onStep: (e) => {
      const phrase = STEP_PHRASES[e.state];
      if (!phrase || e.phase !== 'enter') return;
      // A terminal shows each step once; a log shows each loop iteration only with -v.
      if (cmd.out.stdout.isTTY && !seen.has(e.state)) {
        seen.add(e.state);
        cmd.out.line(`  ${phrase}...`);
      } else {
        cmd.out.debug(`${e.at} ${e.state}`);
      }
    },
  };
  return new LocalEngine(engineOptions);
}

/** Prints an issuance outcome in certbot's words; returns the exit code. */
export function printIssuance(cmd: CommandContext, outcome: IssuanceOutcome, options: { dryRun?: boolean } = {}): number {
  if (outcome.status === 'succeeded') {
    if (options.dryRun) {
      cmd.out.line('The dry run was successful.');
      return 0;
    }
    cmd.out.line('Successfully received certificate.');
    if (outcome.paths) {
      cmd.out.line(`Certificate is saved at: ${outcome.paths.fullchain}`);
      cmd.out.line(`Key is saved at:         ${outcome.paths.privkey}`);
    }
    if (outcome.notAfter) cmd.out.line(`This certificate expires on ${outcome.notAfter.slice(0, 10)}.`);
    return 0;
  }
  if (outcome.status === 'skipped') {
    cmd.out.line(`${outcome.lineage}: another run renewed it meanwhile; nothing to do.`);
    return 0;
  }
  printFailure(cmd, outcome);
  return 1;
}

export function printFailure(cmd: CommandContext, outcome: IssuanceOutcome): void {
  const error = outcome.error;
  cmd.out.error(`Certificate for ${outcome.lineage} failed${error ? `: ${error.name}` : ''}.`);
  if (error?.problem) cmd.out.problem(error.problem as AcmeProblem);
  else if (error) cmd.out.error(`  ${error.message}`);
}
