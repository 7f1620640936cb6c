/**
 * Entry point of the `acmeflow` command. Verbs and flags follow certbot's (register, certonly,
 * renew, revoke, certificates), so the operator manual's certbot commands work with `acmeflow` in
 * their place, with dns-01 instead of `--apache`. Exit codes as certbot users expect: 0 success,
 * 1 a failed operation, 2 bad usage or input (nothing written, no network call made).
 */
import 'reflect-metadata';
import { AcmeError, AcmeProblemError, explainProblem, languageFromEnv, type AcmeProblem, type FetchFunction } from '../shared/acme/index.js';
import { ConfigError } from '../shared/config/index.js';
import type { Logger } from '../shared/workflow/index.js';
import type { OptionSpec } from './args.js';
import { certificates } from './commands/certificates.js';
import { certonly } from './commands/certonly.js';
import { register } from './commands/register.js';
import { renew } from './commands/renew.js';
import { revoke } from './commands/revoke.js';
import { runVerb, type Verb } from './commands/verb.js';
import type { CloudClientsFactory, CloudCommandContext } from './cloud/index.js';
import { Output, type Writer } from './output.js';
import { UsageError } from './usage-error.js';

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

const USAGE = `Usage: acmeflow <verb> [options]

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

const VERBS: Readonly<Record<string, Verb<OptionSpec>>> = { register, certonly, renew, revoke, certificates };

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  const verbose = rest.includes('-v') || rest.includes('--verbose');
  const out = new Output(io.stdout, io.stderr, io.env, verbose);
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    out.line(USAGE);
    return verb === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (verb === '--version' || verb === 'version') {
    out.line(`acmeflow ${VERSION}`);
    return EXIT_OK;
  }
  if (verb === 'explain') return explain(rest, out, io.env);
  const command = VERBS[verb];
  if (!command) {
    out.error(`acmeflow: unknown verb "${verb}". Verbs: ${[...Object.keys(VERBS), 'explain'].join(', ')}. Run "acmeflow --help".`);
    return EXIT_USAGE;
  }
  const cmd: CloudCommandContext = {
    env: io.env,
    out,
    log: consoleLogger(out),
    ...(io.waitScale === undefined ? {} : { waitScale: io.waitScale }),
    ...(io.fetch ? { fetch: io.fetch } : {}),
    ...(io.cloudClients ? { cloudClients: io.cloudClients } : {}),
  };
  try {
    // The verb's flags pick where it acts (this machine, or --stack) once, in runVerb.
    return await runVerb(command, rest, cmd);
  } catch (err) {
    const code = reportError(err, out);
    // A script that asked for JSON gets one document on stdout whatever happened.
    if (rest.includes('--json')) out.json({ error: errorJson(err), exitCode: code });
    return code;
  }
}

/** An error as `--json` gives it: its name and message (never a stack; messages name fields, not secrets). */
function errorJson(err: unknown): { name: string; message: string } {
  const e = err as Error | undefined;
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err) };
}

/** Workflow log lines go to stderr with -v only; warnings and errors always. */
function consoleLogger(out: Output): Logger {
  const fmt = (fields?: Record<string, unknown>) => (fields ? ` ${JSON.stringify(fields)}` : '');
  return {
    info: (message, fields) => out.debug(`${message}${fmt(fields)}`),
    warn: (message, fields) => out.error(`Warning: ${message}${out.verbose ? fmt(fields) : ''}`),
    error: (message, fields) => out.debug(`${message}${fmt(fields)}`),
  };
}

function reportError(err: unknown, out: Output): number {
  if (err instanceof UsageError || err instanceof ConfigError) {
    out.error(err.message);
    return EXIT_USAGE;
  }
  if (err instanceof AcmeProblemError) {
    out.problem(err.problem as AcmeProblem);
    return EXIT_FAILED;
  }
  if (err instanceof AcmeError) {
    out.error(`${err.name}: ${err.message}`);
    return EXIT_FAILED;
  }
  const e = err as Error;
  out.error(`${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`);
  if (out.verbose && e?.stack) out.error(e.stack);
  return EXIT_FAILED;
}

function explain(args: readonly string[], out: Output, env: Record<string, string | undefined>): number {
  const json = args.includes('--json');
  const types = args.filter((a) => !a.startsWith('-'));
  if (types.length !== 1) {
    const message = 'acmeflow explain: give exactly one problem type, e.g. "acmeflow explain rateLimited".';
    out.error(message);
    if (json) out.json({ error: { name: 'UsageError', message }, exitCode: EXIT_USAGE });
    return EXIT_USAGE;
  }
  const e = explainProblem(types[0] as string);
  if (json) out.json(e);
  else out.line(`${e.type}: ${languageFromEnv(env) === 'ja' ? e.ja : e.en}`);
  return e.source === 'fallback' ? EXIT_FAILED : EXIT_OK;
}
