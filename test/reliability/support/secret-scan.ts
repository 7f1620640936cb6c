/**
 * Secret hygiene: a ledger of the secrets a test file handed to acmeflow (the EAB HMAC key, the TSIG
 * secret, API tokens, AWS secret keys) and of everything acmeflow produced (log lines, command
 * output, events, the local engine's execution log — the Step Functions state —, S3 objects (key
 * material allowed only in the S3 key store's objects under `keys/`), and
 * every file of its config directories outside the key paths). `scan()` looks for each secret (and
 * its base64/base64url twin) and for private key material (PEM `PRIVATE KEY` blocks, a JWK's private
 * `d`) in all of it.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ReportSection } from './report.js';

export interface SecretFinding {
  /** Where it was found: `log`, `event`, `execution-log`, `s3://...`, a file path. */
  readonly where: string;
  /** What was found: a secret's label or `private key PEM` / `private JWK`. */
  readonly what: string;
}

export interface ScanSummary {
  readonly findings: SecretFinding[];
  /** What was scanned, by kind: `log lines`, `events`, `execution-log entries`, `S3 objects`, `files`. */
  readonly counts: Record<string, number>;
  readonly secrets: number;
}

const PRIVATE_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PRIVATE_JWK = /"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/;

/**
 * Where private keys belong in certbot's layout (and acmeflow's key store): these files are not
 * scanned for key material (they hold it by design), but they are for the other secrets.
 */
export function isKeyPath(relativePath: string): boolean {
  const p = relativePath.split(sep).join('/');
  return (
    /(?:^|\/)archive\/[^/]+\/privkey\d+\.pem$/.test(p) ||
    /(?:^|\/)live\/[^/]+\/privkey\.pem$/.test(p) ||
    /(?:^|\/)keys\/pending\//.test(p) ||
    isS3KeyObject(p) ||
    /(?:^|\/)accounts\/[^/]+\/(?:private_key\.pem|account\.json)$/.test(p)
  );
}

/**
 * The objects of the S3 key store (`keys/<name>/pending/<sha256>.pem`, `keys/<name>/<n>/privkey.pem`):
 * the only S3 objects allowed to hold a private key.
 */
export function isS3KeyObject(key: string): boolean {
  return /^keys\/[^/]+\/(?:pending\/[0-9a-f]{64}|[1-9]\d*\/privkey)\.pem$/.test(key);
}

function variants(value: string): string[] {
  const out = new Set([value]);
  if (/^[A-Za-z0-9+/=_-]+$/.test(value)) {
    out.add(value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    out.add(value.replace(/-/g, '+').replace(/_/g, '/'));
  }
  return [...out].filter((v) => v.length >= 8);
}

export class SecretLedger {
  readonly #secrets = new Map<string, string>();
  readonly #texts: { kind: string; where: string; text: string; keysAllowed?: boolean }[] = [];
  readonly #dirs = new Set<string>();
  /** Files the operator wrote with a secret on purpose (credentials INI, EAB JSON): not scanned for that. */
  readonly #secretFiles = new Set<string>();

  /** A secret acmeflow was given; it must appear nowhere it produced. */
  secret(label: string, value: string): void {
    if (value.length >= 8) this.#secrets.set(label, value);
  }

  /** A file holding secrets on purpose (the operator's credentials file). */
  secretFile(path: string): void {
    this.#secretFiles.add(path);
  }

  /** Something acmeflow produced: a log line, a command's output, an event, an execution log entry, an S3 object. */
  text(kind: string, where: string, value: unknown): void {
    this.#texts.push({ kind, where, text: typeof value === 'string' ? value : JSON.stringify(value) });
  }

  /**
   * What local engines produced — their events and execution log (the Step Functions state of every
   * execution) — and the workflow's log lines; and command outputs.
   */
  workflow(produced: { logs?: readonly unknown[]; engines?: readonly { readonly events: readonly unknown[]; readonly executionLog: readonly unknown[] }[]; outputs?: readonly string[] }): void {
    for (const text of produced.outputs ?? []) this.text('command output', 'acmeflow output', text);
    for (const line of produced.logs ?? []) this.text('log lines', 'log', line);
    for (const engine of produced.engines ?? []) {
      for (const event of engine.events) this.text('events', 'event', event);
      for (const entry of engine.executionLog) this.text('execution-log entries', 'execution log', entry);
    }
  }

  /**
   * An object of the certificate bucket. Outside the S3 key store's objects none may hold key
   * material; those may (they are the key store), and are counted apart, so a run that wrote no key
   * to S3 shows in the report. No object may hold any other secret.
   */
  s3Object(bucket: string, key: string, body: string): void {
    const keysAllowed = isS3KeyObject(key);
    this.#texts.push({ kind: keysAllowed ? 'S3 key store objects' : 'S3 objects', where: `s3://${bucket}/${key}`, text: body, keysAllowed });
  }

  /** A config (or work) directory: every file in it outside the key paths is scanned. */
  dir(path: string): void {
    this.#dirs.add(path);
  }

  async scan(): Promise<ScanSummary> {
    const findings: SecretFinding[] = [];
    const counts: Record<string, number> = {};
    const count = (kind: string, n = 1) => {
      counts[kind] = (counts[kind] ?? 0) + n;
    };
    const check = (where: string, text: string, options: { keysAllowed?: boolean; secretsAllowed?: boolean } = {}) => {
      if (!options.keysAllowed) {
        if (PRIVATE_PEM.test(text)) findings.push({ where, what: 'private key PEM' });
        if (PRIVATE_JWK.test(text)) findings.push({ where, what: 'private JWK' });
      }
      if (options.secretsAllowed) return;
      for (const [label, value] of this.#secrets) {
        if (variants(value).some((v) => text.includes(v))) findings.push({ where, what: label });
      }
    };
    for (const { kind, where, text, keysAllowed } of this.#texts) {
      count(kind);
      check(where, text, { keysAllowed: keysAllowed === true });
    }
    const seen = new Set<string>();
    for (const root of this.#dirs) {
      for (const file of await walk(root)) {
        if (seen.has(file)) continue;
        seen.add(file);
        const rel = relative(root, file);
        const text = await readFile(file, 'utf8').catch(() => '');
        count('files');
        check(file, text, { keysAllowed: isKeyPath(rel), secretsAllowed: this.#secretFiles.has(file) });
      }
    }
    return { findings, counts, secrets: this.#secrets.size };
  }
}

/** Every regular file under `root` (symbolic links are not followed: `live/` links into `archive/`). */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const name of entries) {
    const path = join(root, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info || info.isSymbolicLink()) continue;
    if (info.isDirectory()) out.push(...(await walk(path)));
    else if (info.isFile()) out.push(path);
  }
  return out;
}

/** `12 log lines, 40 events, ...` */
export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

/**
 * Scans, and writes this file's row of the report's secret hygiene section: what was scanned, for
 * how many secrets, and what was found where (nothing, or the findings).
 */
export async function reportHygiene(ledger: SecretLedger, part: string, after: string): Promise<ScanSummary> {
  const summary = await ledger.scan();
  const section = new ReportSection('secret-hygiene', part);
  const scanned = Object.values(summary.counts).reduce((n, c) => n + c, 0);
  section.add({
    fault: `after ${after}: private key PEM/JWK, ${summary.secrets} secrets (and their base64 twins) in ${describeCounts(summary.counts)}`,
    runs: scanned,
    outcome: summary.findings.length === 0 ? 'none found' : `${summary.findings.length} found`,
    lost: summary.findings.length === 0 ? 'nothing' : summary.findings.map((f) => `${f.what} in ${f.where}`).join('; '),
  });
  section.write();
  return summary;
}
