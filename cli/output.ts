import { sanitizeProblem, shortProblemType, type AcmeProblem } from '../shared/acme/errors.js';
import { explainFailure, explainProblem, languageFromEnv, type ExplanationLanguage } from '../shared/acme/explain.js';

export interface Writer {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** Console output: plain lines (certbot's wording where certbot has one), or JSON with --json. */
export class Output {
  readonly lang: ExplanationLanguage;
  constructor(
    readonly stdout: Writer,
    readonly stderr: Writer,
    env: Record<string, string | undefined>,
    readonly verbose = false,
    /** certbot's `-q`: errors only (cron mails whatever a job prints). A JSON document is still printed: it was asked for. */
    readonly quiet = false,
  ) {
    this.lang = languageFromEnv(env);
  }

  line(text = ''): void {
    if (!this.quiet) this.stdout.write(`${text}\n`);
  }

  error(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  debug(text: string): void {
    if (this.verbose) this.stderr.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * An ACME problem as a person can act on it: the type, the detail, each subproblem by name, the
   * raw problem document, then the explanation from the error catalog (Japanese when the locale asks
   * for it) and the `acmeflow explain` line: every failure ends with those two, so `context` (what
   * else the caller has to say about the run) comes before them. The detail is
   * labelled the CA's only when the CA sent it (`fromCa`); acmeflow's own refusals say so.
   */
  problem(raw: AcmeProblem, heading = 'The CA refused the request', options: { readonly fromCa?: boolean; readonly context?: readonly string[] } = {}): void {
    // The CA's text may hold escape sequences or megabytes; shown only once made safe.
    const problem = sanitizeProblem(raw);
    const e = explainProblem(problem);
    this.error(`${heading}: ${shortProblemType(problem.type)}${problem.status ? ` (HTTP ${problem.status})` : ''}`);
    if (problem.detail) this.error(`  ${options.fromCa === false ? 'Detail' : 'Detail from the CA'}: ${problem.detail}`);
    for (const sub of problem.subproblems ?? []) {
      this.error(`  ${sub.identifier?.value ?? '(no name)'}: ${shortProblemType(sub.type)}${sub.detail ? ` — ${sub.detail}` : ''}`);
    }
    // acmeflow's own problem document would only repeat the detail; a CA's is shown as it came.
    if (options.fromCa !== false) this.error(`  Problem document: ${JSON.stringify(problem)}`);
    for (const line of options.context ?? []) this.error(line);
    this.error(`  ${this.lang === 'ja' ? e.ja : e.en}`);
    this.error(`  More: acmeflow explain ${shortProblemType(problem.type)}`);
  }

  /** The ending of a failure that is not a CA's problem: what the error named `name` means, and where to read it again. */
  explained(name: string): void {
    const e = explainFailure(name);
    this.error(`  ${this.lang === 'ja' ? e.ja : e.en}`);
    this.error(`  More: acmeflow explain ${name}`);
  }
}
