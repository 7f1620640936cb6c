/**
 * Entry point of the `acmeflow` command. Verbs and flags follow certbot's (register, certonly,
 * renew, revoke, certificates), so the operator manual's certbot commands work with `acmeflow` in
 * their place, with dns-01 instead of `--apache`. Exit codes as certbot users expect: 0 success,
 * 1 a failed operation, 2 bad usage or input (nothing written, no network call made).
 *
 * This file imports nothing at run time: a cron line or a deploy script starts the command many
 * times, so `--version` and `--help` answer before any module loads, and a verb loads only its own
 * modules (cli/run-command.ts).
 */
import type { FetchFunction } from '../shared/acme/index.js';
import type { CloudClientsFactory } from './cloud/index.js';
import type { Writer } from './output.js';

export interface CliIo {
  readonly env: Record<string, string | undefined>;
  readonly stdout: Writer;
  readonly stderr: Writer;
  /** Tests shorten the CA's waits. @default 1 */
  readonly waitScale?: number;
  /** The ACME fetch (tests inject one that trusts their CA). @default the ACME layer's node:http/https transport (shared/http) */
  readonly fetch?: FetchFunction;
  /** AWS clients for `--stack` (tests point them at fakes). @default the SDK's, from the environment */
  readonly cloudClients?: CloudClientsFactory;
  /**
   * Whether a person is at the keyboard (stdin is a terminal): certbot delays a `renew` started by
   * cron or a timer by a random time, so that a fleet does not reach the CA at the same second.
   * @default true (no delay)
   */
  readonly interactive?: boolean;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const VERSION = '0.1.0';

export const USAGE = `Usage: acmeflow <verb> [options]

ACME certificates with dns-01, certbot's verbs and layout, the same workflow as acmeflow on AWS.

Verbs:
  register       register an ACME account (with External Account Binding when the CA requires it)
  certonly       obtain a certificate for -d NAME[,NAME...] with --dns PROVIDER
  renew          renew the certificates that are due (--force-renewal: all), running hooks as certbot does
  revoke         revoke a certificate (--cert-path PATH or --cert-name NAME)
  certificates   list the certificates in the config directory
  delete         delete a certificate's lineage (--cert-name NAME)
  reconfigure    change a lineage's renewal settings without renewing it (--cert-name NAME)
  show_account   show the account with a CA; update_account -m EMAIL changes its contact;
  unregister     deactivates it
  import         move certbot's lineages into a deployed stack (--from /etc/letsencrypt --stack S [--dry-run])
  move-key       move a lineage's key between the stack's key stores (--cert-name NAME --to s3|secretsManager --stack S)
  explain TYPE   explain an ACME error type (English; Japanese when LANG asks for ja)

Common options, before or after the verb: --config-dir DIR (default /etc/acmeflow as root, else
  ~/.config/acmeflow), -n/--non-interactive, -q/--quiet, -v/--verbose, --json, --help. "acmeflow <verb> --help" for a verb's options.
Cloud mode: --stack NAME [--region R] [--wait] acts on a deployed acmeflow stack instead.
`;

/** The verbs, as certbot names them (`show_account`, ...), and the two acmeflow adds. */
const VERB_NAMES = new Set(['register', 'certonly', 'renew', 'revoke', 'certificates', 'delete', 'show_account', 'update_account', 'unregister', 'reconfigure', 'import', 'move-key', 'explain', 'help', 'version']);

/**
 * certbot takes its options before or after the verb (`certbot --config-dir D -q renew`, as many
 * cron lines are written): the verb is the first argument that names one, and every other argument
 * keeps its order behind it. Without a verb, the first argument is taken as one (and refused by name).
 */
export function verbFirst(argv: readonly string[]): { verb: string | undefined; rest: string[] } {
  const at = argv.findIndex((arg) => VERB_NAMES.has(arg));
  if (at < 0) {
    const help = argv.find((arg) => arg === '--help' || arg === '-h' || arg === '--version');
    if (help) return { verb: help, rest: [] };
    return { verb: argv[0], rest: argv.slice(1) };
  }
  return { verb: argv[at], rest: [...argv.slice(0, at), ...argv.slice(at + 1)] };
}

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const { verb, rest } = verbFirst(argv);
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return verb === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (verb === '--version' || verb === 'version') {
    io.stdout.write(`acmeflow ${VERSION}\n`);
    return EXIT_OK;
  }
  const { runCommand } = await import('./run-command.js');
  return runCommand(verb, rest, io);
}
