import { main, type CliIo } from '../../cli/main.js';

/** What one in-process run of the command printed, and its exit status. */
export interface CapturedRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs the command in this process (cli/main.ts, as bin/acmeflow.mjs does) and collects what it
 * writes to stdout and stderr: the one runner of the e2e CLI tests, so each passes only its own
 * environment, CA fetch and waits.
 *
 * @example
 * ```ts
 * const r = await runMain(['certificates', '--config-dir', dir], { env: { LANG: 'C', HOME: work }, fetch: pebble.fetch, waitScale: 0.02 });
 * expect(r.code).toBe(0);
 * ```
 */
export async function runMain(args: readonly string[], io: Omit<CliIo, 'stdout' | 'stderr'>): Promise<CapturedRun> {
  let out = '';
  let err = '';
  const code = await main(args, {
    ...io,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}
