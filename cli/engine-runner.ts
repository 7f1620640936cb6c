import type { FetchFunction } from '../shared/acme/index.js';
import type { Logger } from '../shared/workflow/index.js';
import { LocalEngine, type LocalEngineOptions } from '../engine/index.js';
import { deployWaitMessage } from './deploy-wait-message.js';
import type { Output } from './output.js';
import { propagationProgress, type PropagationProgressFields } from './propagation-progress.js';

/** What every verb gets: the environment, the console, and a logger for the workflow. */
export interface CommandContext {
  readonly env: Record<string, string | undefined>;
  readonly out: Output;
  readonly log: Logger;
  /** For tests: scale the engine's Wait states (the CA's Retry-After). @default 1 */
  readonly waitScale?: number;
  /** The ACME fetch. @default the ACME layer's node:http/https transport (shared/http) */
  readonly fetch?: FetchFunction;
  /** A person is at the keyboard (see CliIo.interactive). @default true */
  readonly interactive?: boolean;
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

/**
 * The local engine for one command, its progress and hook output on the console. With `json` stdout
 * carries only the outcome document: progress lines follow -v on stderr, hook output goes to stderr.
 */
export function makeEngine(
  cmd: CommandContext,
  configDir: string,
  options: { deployHook?: string; preHook?: string; postHook?: string; resolvers?: string[]; propagationTimeoutSeconds?: number; json?: boolean },
): LocalEngine {
  const seen = new Set<string>();
  const json = options.json ?? false;
  // Hook commands and their output are shown as certbot shows them; other log lines follow -v.
  const progress = propagationProgress(cmd.out, { json });
  const log: Logger = {
    info: (message, fields) => {
      if (fields && 'hook' in fields) return json ? cmd.out.error(message) : cmd.out.line(message);
      if (fields && typeof fields.propagation === 'object' && fields.propagation !== null) return progress(message, fields.propagation as PropagationProgressFields);
      return cmd.log.info(message, fields);
    },
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
    ...(options.propagationTimeoutSeconds === undefined ? {} : { propagationTimeoutSeconds: options.propagationTimeoutSeconds }),
    ...(cmd.waitScale === undefined ? {} : { waitScale: cmd.waitScale }),
    ...(cmd.fetch ? { fetch: cmd.fetch } : {}),
    // Said once the certificate is saved, when a deploy hook waits: the wait has a reason and an end.
    onDeployWait: (wait) => (json ? cmd.out.error(deployWaitMessage(wait)) : cmd.out.line(deployWaitMessage(wait))),
    onStep: (e) => {
      const phrase = STEP_PHRASES[e.state];
      if (!phrase || e.phase !== 'enter') return;
      // A terminal shows each step once; a log shows each loop iteration only with -v.
      if (!json && cmd.out.stdout.isTTY && !seen.has(e.state)) {
        seen.add(e.state);
        cmd.out.line(`  ${phrase}...`);
      } else {
        cmd.out.debug(`${e.at} ${e.state}`);
      }
    },
  };
  return new LocalEngine(engineOptions);
}
