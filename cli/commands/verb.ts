import { parseVerbArgs, type OptionSpec } from '../args.js';
import type { Backend } from '../backend/backend.js';
import { selectBackend } from '../backend/select-backend.js';
import type { CloudCommandContext } from '../cloud/cloud-context.js';
import type { CommandContext } from '../engine-runner.js';

/** A verb's flags as parsed: its own options and the common ones. */
export type VerbValues<O extends OptionSpec> = ReturnType<typeof parseVerbArgs<O>>['values'];

/**
 * One verb of the command. `run` reads once: flags → request (the edge, all offline checks), one
 * {@link Backend} call, an outcome printer; it returns the exit code. It never asks whether the
 * backend is this machine or a stack.
 */
export interface Verb<O extends OptionSpec> {
  readonly name: string;
  readonly help: string;
  readonly options: O;
  /** Flags that only mean something on this machine, each with what to do instead with `--stack`. */
  readonly localOnly: Readonly<Record<string, string>>;
  run(values: VerbValues<O>, backend: Backend, cmd: CommandContext): Promise<number>;
}

/**
 * Parses a verb's arguments strictly, answers `--help`, picks the backend once from the flags and
 * runs the verb. Errors are thrown (main maps them to exit codes).
 *
 * @example
 * ```ts
 * const code = await runVerb(renew, ['--cert-name', 'example.com', '--dry-run'], cmd);
 * ```
 */
export async function runVerb<O extends OptionSpec>(verb: Verb<O>, argv: readonly string[], cmd: CloudCommandContext): Promise<number> {
  const { values } = parseVerbArgs(verb.name, argv, verb.options);
  if ((values as { help?: boolean }).help) {
    cmd.out.line(verb.help);
    return 0;
  }
  const backend = await selectBackend(verb.name, values as Record<string, unknown>, verb.localOnly, cmd);
  return verb.run(values, backend, cmd);
}
