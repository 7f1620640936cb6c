import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { HookFailure, HookName } from './hook-failed-error.js';

/** Where hook output goes; structurally the workflow's `Logger`, so the engine passes its own. */
export interface HookLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The part of `node:child_process` `spawn` the hooks use; inject a wrapper to observe or redirect it. */
export type SpawnFunction = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** How {@link runHook} runs one command. */
export interface RunHookOptions {
  readonly hook: HookName;
  /** The child's whole environment. */
  readonly env: NodeJS.ProcessEnv;
  readonly spawn: SpawnFunction;
  /** The shell that reads the command, as `<shell> -c <command>`. */
  readonly shell: string;
  readonly logger: HookLogger;
  /** The lineage a deploy-hook runs for, for the log and the failure. */
  readonly lineage?: string;
}

/** Output kept per stream: a chatty hook must not hold the process's memory. */
const KEEP_BYTES = 64 * 1024;
/** What a failure quotes of stderr. */
const TAIL_LINES = 20;
const TAIL_CHARS = 2_000;

/** Appends to a buffer that keeps only its last `KEEP_BYTES`. */
function keepTail(kept: Buffer, chunk: Buffer): Buffer {
  const joined = Buffer.concat([kept, chunk]);
  return joined.length > KEEP_BYTES ? joined.subarray(joined.length - KEEP_BYTES) : joined;
}

function tailOf(text: string): string {
  const lines = text.trimEnd().split('\n');
  const tail = lines.slice(-TAIL_LINES).join('\n');
  return tail.length > TAIL_CHARS ? tail.slice(-TAIL_CHARS) : tail;
}

const indent = (text: string): string => text.replace(/^/gm, ' ');

/**
 * Runs one hook command the way certbot does: through the shell (`/bin/sh -c`, so quoting, `&&`,
 * pipes and `$VAR` work as on the command line), stdin closed, stdout and stderr captured and
 * reported to the logger once the command has ended ("Running deploy-hook command: ...", its
 * output, a warning with the exit code when it is not 0).
 *
 * Resolves to the failure when the command exits non-zero, is killed, or cannot be started, and to
 * `undefined` when it exits 0; it never rejects, so a caller can run every hook before reporting.
 *
 * @example
 * ```ts
 * const failure = await runHook('systemctl reload nginx', { hook: 'deploy-hook', env: process.env, spawn, shell: '/bin/sh', logger });
 * ```
 */
export async function runHook(command: string, options: RunHookOptions): Promise<HookFailure | undefined> {
  const { hook, logger, lineage } = options;
  const context = { hook, command, ...(lineage === undefined ? {} : { lineage }) };
  logger.info(`Running ${hook} command: ${command}`, context);

  const outcome = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; startError?: Error }>(
    (resolve) => {
      let stdout: Buffer = Buffer.alloc(0);
      let stderr: Buffer = Buffer.alloc(0);
      let settled = false;
      const settle = (exitCode: number | null, signal: NodeJS.Signals | null, startError?: Error): void => {
        if (settled) return;
        settled = true;
        resolve({ exitCode, signal, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), ...(startError ? { startError } : {}) });
      };
      let child: ChildProcess;
      try {
        child = options.spawn(options.shell, ['-c', command], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        settle(null, null, error instanceof Error ? error : new Error(String(error)));
        return;
      }
      child.stdout?.on('data', (chunk: Buffer) => (stdout = keepTail(stdout, chunk)));
      child.stderr?.on('data', (chunk: Buffer) => (stderr = keepTail(stderr, chunk)));
      child.once('error', (error) => settle(null, null, error));
      // 'close', not 'exit': the output streams are flushed by then.
      child.once('close', (code, signal) => settle(code, signal));
    },
  );

  const out = outcome.stdout.trim();
  const err = outcome.stderr.trim();
  if (outcome.startError !== undefined) {
    logger.error(`${hook} command could not be started: ${outcome.startError.message}`, context);
  } else if (outcome.exitCode !== 0) {
    logger.warn(
      outcome.exitCode === null ? `Hook '${hook}' was killed by ${outcome.signal ?? 'a signal'}` : `Hook '${hook}' reported error code ${outcome.exitCode}`,
      { ...context, exitCode: outcome.exitCode, signal: outcome.signal },
    );
  }
  if (out !== '') logger.info(`Hook '${hook}' ran with output:\n${indent(out)}`, context);
  if (err !== '') logger.error(`Hook '${hook}' ran with error output:\n${indent(err)}`, context);

  if (outcome.startError === undefined && outcome.exitCode === 0) return undefined;
  return {
    hook,
    command,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    stderrTail: tailOf(outcome.startError === undefined ? outcome.stderr : `${outcome.stderr}${outcome.startError.message}`),
    ...(lineage === undefined ? {} : { lineage }),
  };
}
