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
  explain TYPE   explain an ACME error type (English; Japanese when LANG asks for ja)

Common options: --config-dir DIR (default /etc/acmeflow as root, else ~/.config/acmeflow),
  --non-interactive, -v/--verbose, --json, --help. "acmeflow <verb> --help" for a verb's options.
Cloud mode: --stack NAME [--region R] [--wait] acts on a deployed acmeflow stack instead.
`;

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
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
