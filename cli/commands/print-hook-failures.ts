import { describeHookFailure, type HookFailure } from '../../shared/events/local-hooks/index.js';
import type { Output } from '../output.js';

/**
 * The failed hooks of a run as `--json` gives them: which hook, its command, its lineage and how it
 * ended (the exit code, or the signal). Its stderr went to the console already.
 */
export function hookFailuresJson(failures: readonly HookFailure[] | undefined): { hookFailures?: object[] } {
  if (!failures || failures.length === 0) return {};
  return {
    hookFailures: failures.map((f) => ({ hook: f.hook, command: f.command, exitCode: f.exitCode, signal: f.signal, ...(f.lineage === undefined ? {} : { lineage: f.lineage }) })),
  };
}

/**
 * Says each failed hook with its command and exit code on stderr, and gives the exit status: 1 when
 * a hook failed. certbot only logs a failed hook and exits 0; a cron job running acmeflow needs the
 * signal (the certificate itself stays issued and stored).
 *
 * @example
 * ```ts
 * return Math.max(code, printHookFailures(out, outcome.hookFailures));
 * ```
 */
export function printHookFailures(out: Output, failures: readonly HookFailure[] | undefined): 0 | 1 {
  if (!failures || failures.length === 0) return 0;
  for (const failure of failures) out.error(`Hook failed: ${describeHookFailure(failure)}`);
  return 1;
}
