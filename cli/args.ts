import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every verb takes (certbot's names). */
export const COMMON_OPTIONS = {
  'config-dir': { type: 'string' },
  // certbot's directories for its working files and logs: acmeflow keeps neither, so they are accepted and unused.
  'work-dir': { type: 'string' },
  'logs-dir': { type: 'string' },
  'non-interactive': { type: 'boolean', short: 'n' },
  'no-random-sleep-on-renew': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/**
 * Parses a verb's arguments strictly: an unknown flag or a missing value is a {@link UsageError}
 * that names the flag and points to `--help`.
 */
export function parseVerbArgs<O extends OptionSpec>(verb: string, argv: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, strict: true, allowPositionals });
  } catch (err) {
    const message = (err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '');
    throw new UsageError(`acmeflow ${verb}: ${message}. Run "acmeflow ${verb} --help" for the options.`);
  }
}
