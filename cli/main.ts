/**
 * Entry point of the `acmeflow` command. Verbs follow certbot's (register, certonly, renew, revoke,
 * certificates) so certbot users feel at home; this first cut has `explain` and `--version`, the
 * others arrive with the local engine.
 */
import { explainProblem, languageFromEnv, type AcmeProblem } from '../shared/acme/index.js';

export interface CliIo {
  readonly env: Record<string, string | undefined>;
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

/** Exit codes, as certbot users expect: 0 success, 1 a failed operation, 2 bad usage or input. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const VERSION = '0.1.0';

const USAGE = `Usage: acmeflow <verb> [options]

Verbs:
  explain PROBLEM_TYPE   explain an ACME error type (e.g. rateLimited, urn:ietf:params:acme:error:badNonce)
                         in English, or in Japanese when LANG/LC_ALL/LC_MESSAGES asks for ja
  --version              print the version
  --help                 print this help
`;

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.stdout.write(USAGE);
    return verb === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (verb === '--version' || verb === 'version') {
    io.stdout.write(`acmeflow ${VERSION}\n`);
    return EXIT_OK;
  }
  if (verb === 'explain') return explain(rest, io);
  io.stderr.write(`acmeflow: unknown verb "${verb}". Run "acmeflow --help" for the list of verbs.\n`);
  return EXIT_USAGE;
}

function explain(args: readonly string[], io: CliIo): number {
  const json = args.includes('--json');
  const types = args.filter((a) => a !== '--json');
  if (types.length !== 1) {
    io.stderr.write('acmeflow explain: give exactly one problem type, e.g. "acmeflow explain rateLimited".\n');
    return EXIT_USAGE;
  }
  const type = types[0] as string;
  const problem: Pick<AcmeProblem, 'type'> = { type };
  const e = explainProblem(problem);
  if (json) {
    io.stdout.write(`${JSON.stringify(e, null, 2)}\n`);
  } else {
    const lang = languageFromEnv(io.env);
    io.stdout.write(`${e.type}: ${lang === 'ja' ? e.ja : e.en}\n`);
  }
  return e.source === 'fallback' ? EXIT_FAILED : EXIT_OK;
}
