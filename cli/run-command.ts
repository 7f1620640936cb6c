/**
 * Everything after `--version` and `--help`: the verb's modules loaded on demand, the verb run, and
 * any error it throws turned into an exit code and a message that ends, for every failure, with the
 * explanation and the `acmeflow explain <type>` to read more.
 */
import 'reflect-metadata';
import * as z from 'zod';
// The modules themselves, not the barrels: `explain` and the error report need no ACME client, no schemas.
import { AcmeError, AcmeProblemError, AcmeProfileNotOfferedError } from '../shared/acme/errors.js';
import { explainClientError, explainFailure, explainProblem, languageFromEnv } from '../shared/acme/explain.js';
import { ConfigError } from '../shared/config/errors.js';
import type { Logger } from '../shared/workflow/index.js';
import { RevocationFailedError, SweepFailedError } from '../engine/errors.js';
import type { OptionSpec } from './args.js';
import type { CloudCommandContext } from './cloud/index.js';
import { printFailure } from './commands/print-failure.js';
import type { Verb } from './commands/verb.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo } from './main.js';
import { Output } from './output.js';
import { UsageError } from './usage-error.js';

// zod compiles a fast path for each object schema with new Function() on its first parse: worth it
// for many parses in a long process, not for a command that parses each schema a few times (in CPU
// profiles of `certonly`, compiling and running those functions took 150-250 ms of about 1 s).
z.config({ jitless: true });

/** Each verb's module, imported only when that verb runs: `certificates` never loads the engine's state machine runner. */
const VERBS: Readonly<Record<string, () => Promise<Verb<OptionSpec>>>> = {
  register: async () => (await import('./commands/register.js')).register,
  certonly: async () => (await import('./commands/certonly.js')).certonly,
  renew: async () => (await import('./commands/renew.js')).renew,
  revoke: async () => (await import('./commands/revoke.js')).revoke,
  certificates: async () => (await import('./commands/certificates.js')).certificates,
  delete: async () => (await import('./commands/delete.js')).deleteVerb,
  reconfigure: async () => (await import('./commands/reconfigure.js')).reconfigure,
  show_account: async () => (await import('./commands/account-verbs.js')).showAccount,
  update_account: async () => (await import('./commands/account-verbs.js')).updateAccount,
  unregister: async () => (await import('./commands/account-verbs.js')).unregister,
  import: async () => (await import('./commands/import.js')).importVerb,
  'move-key': async () => (await import('./commands/move-key.js')).moveKey,
};

export const EXPLAIN_HELP = `Usage: acmeflow explain TYPE [--json]

Explains an ACME problem type (rateLimited, urn:ietf:params:acme:error:dns, ...) or an error acmeflow
names when it stops (Rfc2136TsigError, ...), in English, or Japanese when LANG asks for ja.
`;

/** Runs `acmeflow <verb> <rest>` for any verb but the version and the usage; returns the exit code. */
export async function runCommand(verb: string, rest: readonly string[], io: CliIo): Promise<number> {
  const verbose = rest.includes('-v') || rest.includes('--verbose');
  const quiet = rest.includes('-q') || rest.includes('--quiet');
  const out = new Output(io.stdout, io.stderr, io.env, verbose && !quiet, quiet);
  if (verb === 'explain') return explain(rest, out, io.env);
  const load = VERBS[verb];
  if (!load) {
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
    interactive: io.interactive ?? true,
  };
  try {
    const [command, { runVerb }] = await Promise.all([load(), import('./commands/verb.js')]);
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

/**
 * Workflow log lines go to stderr with -v only; warnings always. A step that fails logs at error
 * level: its failure reaches the outcome printer, and a retried step that then succeeds is no news.
 */
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
    // Bad usage is its message; one the catalog explains (StackNotFoundError, ...) ends like a failure.
    if (explainClientError(err.name)) out.explained(err.name);
    return EXIT_USAGE;
  }
  if (err instanceof AcmeProfileNotOfferedError) {
    // Found before any order (the directory does not list the required profile): bad input, explained.
    out.error(err.message);
    out.explained(err.name);
    return EXIT_USAGE;
  }
  if (err instanceof RevocationFailedError || err instanceof SweepFailedError) {
    const what = err instanceof RevocationFailedError ? 'The revocation' : 'The renewal sweep';
    out.error(`${what} ${err.executionName} failed: ${err.failure.name}.`);
    printFailure(out, err.failure);
    return EXIT_FAILED;
  }
  if (err instanceof AcmeProblemError) {
    // A problem acmeflow raised before sending anything (EAB missing where the directory requires it) is not the CA's answer.
    out.problem(err.problem, err.notSent ? 'The registration was not sent' : undefined, { fromCa: !err.notSent });
    return EXIT_FAILED;
  }
  const e = err as Error;
  const name = e?.name ?? 'Error';
  out.error(`${name}: ${e?.message ?? String(err)}`);
  if (out.verbose && e?.stack && !(err instanceof AcmeError)) out.error(e.stack);
  out.explained(name);
  return EXIT_FAILED;
}

function explain(args: readonly string[], out: Output, env: Record<string, string | undefined>): number {
  if (args.includes('--help') || args.includes('-h')) {
    out.line(EXPLAIN_HELP);
    return EXIT_OK;
  }
  const json = args.includes('--json');
  const unknownFlag = args.find((a) => a.startsWith('-') && a !== '--json');
  const types = args.filter((a) => !a.startsWith('-'));
  if (unknownFlag || types.length !== 1) {
    const message = `acmeflow explain: ${unknownFlag ? `unknown option ${unknownFlag}` : 'give exactly one problem type or error name'}, e.g. "acmeflow explain rateLimited". "acmeflow explain --help" for more.`;
    out.error(message);
    if (json) out.json({ error: { name: 'UsageError', message }, exitCode: EXIT_USAGE });
    return EXIT_USAGE;
  }
  const asked = types[0] as string;
  const problem = explainProblem(asked);
  // A problem type the catalog knows, else an error name acmeflow prints when it stops.
  if (problem.source === 'fallback' && /^[A-Z]\w*(Error|Failed)$/.test(asked)) {
    const failure = explainFailure(asked);
    if (json) out.json(failure);
    else out.line(`${failure.name}: ${out.lang === 'ja' ? failure.ja : failure.en}`);
    return EXIT_OK;
  }
  if (json) out.json(problem);
  else out.line(`${problem.type}: ${languageFromEnv(env) === 'ja' ? problem.ja : problem.en}`);
  return problem.source === 'fallback' ? EXIT_FAILED : EXIT_OK;
}
