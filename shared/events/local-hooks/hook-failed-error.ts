/** certbot's names of its hooks, as its log lines print them. */
export type HookName = 'pre-hook' | 'deploy-hook' | 'post-hook';

/** One hook run that did not exit 0. */
export interface HookFailure {
  readonly hook: HookName;
  readonly command: string;
  /** The exit status; `null` when the process was killed by a signal or could not be started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The end of what the hook wrote to stderr (or why it could not start), to show without the whole log. */
  readonly stderrTail: string;
  /** The lineage a deploy-hook ran for. */
  readonly lineage?: string;
}

/** One failure in a sentence: the hook, its command, the lineage, how it ended and its last line of stderr. */
export function describeHookFailure(failure: HookFailure): string {
  const how =
    failure.exitCode !== null ? `exited with code ${failure.exitCode}` : failure.signal !== null ? `was killed by ${failure.signal}` : 'could not be started';
  const lastLine = failure.stderrTail.trim().split('\n').at(-1) ?? '';
  return `${failure.hook} \`${failure.command}\`${failure.lineage === undefined ? '' : ` for ${failure.lineage}`} ${how}${lastLine === '' ? '' : `: ${lastLine}`}`;
}

/**
 * One or more hook commands failed (non-zero exit, killed, or not startable). As with certbot, a
 * failed hook does not undo anything: the certificate stays renewed and stored, and every other hook
 * of the same call still ran. The error reports what failed, for the run's exit status and the log.
 *
 * `hook`, `command`, `exitCode`, `signal`, `stderrTail` and `lineage` describe the first failure;
 * `failures` lists all of them, the first included.
 *
 * @example
 * ```ts
 * try { await hooks.publish(events); } catch (error) {
 *   if (error instanceof HookFailedError) for (const f of error.failures) log.error(`${f.hook} failed`, { exitCode: f.exitCode });
 * }
 * ```
 */
export class HookFailedError extends Error {
  readonly hook: HookName;
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;
  readonly lineage?: string;
  readonly failures: readonly HookFailure[];

  constructor(failures: readonly [HookFailure, ...HookFailure[]], options: { cause?: unknown } = {}) {
    const [first] = failures;
    super(
      failures.length === 1 ? describeHookFailure(first) : `${failures.length} hooks failed: ${failures.map(describeHookFailure).join('; ')}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'HookFailedError';
    this.hook = first.hook;
    this.command = first.command;
    this.exitCode = first.exitCode;
    this.signal = first.signal;
    this.stderrTail = first.stderrTail;
    if (first.lineage !== undefined) this.lineage = first.lineage;
    this.failures = failures;
  }
}
