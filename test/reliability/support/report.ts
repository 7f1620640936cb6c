/**
 * The reliability report: each test file records what it did into a {@link ReportSection} (a row per
 * fault: how many runs, the outcome, anything lost) and writes it in its `afterAll`. Sections of one
 * vitest invocation are kept in a directory named after the vitest process (every test file's worker
 * is its child), and every write regenerates `test/reliability/REPORT.md` from all the sections
 * written so far in this invocation — the last file to finish writes the whole report.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ReportRow {
  /** The fault or case. */
  readonly fault: string;
  /** How many runs (issuances, command lines) it was tried on; for the secret scan and the template review, the items looked at. */
  readonly runs: number;
  /** What happened, e.g. `3 valid certificates` or `typed error AcmeRateLimitedError`. */
  readonly outcome: string;
  /** What was lost or left behind (`nothing` when the invariants held). */
  readonly lost: string;
}

/** The sections the suite writes, in report order. */
export const SECTIONS = {
  'ca-faults': '1. CA faults (fault-injecting proxy in front of Pebble; Pebble rejecting nonces)',
  'dns-faults': '2. DNS faults (Route 53 fake, BIND 9)',
  crashes: '3. Crashes (the acmeflow process killed with SIGKILL, then run again)',
  concurrency: '4. Concurrency',
  'bad-input': '5. Bad input',
  'secret-hygiene': '6. Secret hygiene (each file scans everything it produced for every secret it handed to acmeflow)',
  'deployed-shape': '7. Security review of the synthesized template',
  probes: '8. Probes (issue 16: oversized answers, plain http, hostile CA text, nonce storms, refused replaces, unknown challenge types)',
  'probes-stores': '9. Probes: accounts, lineages, stores, DNSSEC (issue 16)',
  'probes-input': '10. Probes: input caught at the edge, EAB keys as CAs hand them out (issue 16 items 7 and 13)',
} as const;
export type SectionId = keyof typeof SECTIONS;

interface StoredSection {
  readonly id: SectionId;
  /** Several test files may each write a part of one section (the secret scan of each). */
  readonly part?: string;
  readonly rows: ReportRow[];
  readonly notes: string[];
  readonly durationMs: number;
  readonly writtenAt: string;
}

const REPORT_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'REPORT.md');
/** Sections of this vitest invocation: every worker of one run shares its parent process. */
const RUN_DIR = join(tmpdir(), `acmeflow-reliability-run-${process.ppid}`);

export class ReportSection {
  readonly rows: ReportRow[] = [];
  readonly notes: string[] = [];
  readonly #started = Date.now();

  /** `part`: this file's share of a section several files write (its rows come after those of earlier parts by name). */
  constructor(
    readonly id: SectionId,
    readonly part?: string,
  ) {}

  add(row: ReportRow): void {
    this.rows.push(row);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** Writes this section and regenerates REPORT.md from every section of this invocation. */
  write(): void {
    mkdirSync(RUN_DIR, { recursive: true });
    const stored: StoredSection = {
      id: this.id,
      ...(this.part ? { part: this.part } : {}),
      rows: this.rows,
      notes: this.notes,
      durationMs: Date.now() - this.#started,
      writtenAt: new Date().toISOString(),
    };
    atomicWrite(join(RUN_DIR, `${this.id}${this.part ? `@${this.part}` : ''}.json`), JSON.stringify(stored, null, 2));
    atomicWrite(REPORT_PATH, renderReport(readSections()));
    removeStaleRunDirs();
  }
}

function atomicWrite(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

function readSections(): StoredSection[] {
  const sections: StoredSection[] = [];
  for (const file of readdirSync(RUN_DIR)) {
    if (!file.endsWith('.json')) continue;
    try {
      sections.push(JSON.parse(readFileSync(join(RUN_DIR, file), 'utf8')) as StoredSection);
    } catch {
      // a section being rewritten right now: the next write includes it
    }
  }
  // Parts of one section become one section, rows in part order.
  const merged = new Map<SectionId, StoredSection>();
  for (const s of sections.sort((a, b) => (a.part ?? '').localeCompare(b.part ?? ''))) {
    const seen = merged.get(s.id);
    merged.set(
      s.id,
      seen
        ? { ...seen, rows: [...seen.rows, ...s.rows], notes: [...seen.notes, ...s.notes], durationMs: seen.durationMs + s.durationMs }
        : { ...s, rows: [...s.rows], notes: [...s.notes] },
    );
  }
  const order = Object.keys(SECTIONS);
  return [...merged.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

/** Run directories of earlier invocations (older than a day) are removed. */
function removeStaleRunDirs(): void {
  const day = 24 * 60 * 60 * 1000;
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith('acmeflow-reliability-run-')) continue;
    const path = join(tmpdir(), entry);
    try {
      if (path !== RUN_DIR && Date.now() - statSync(path).mtimeMs > day) rmSync(path, { recursive: true, force: true });
    } catch {
      // someone else removed it
    }
  }
}

const cell = (text: string | number): string => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderReport(sections: readonly StoredSection[]): string {
  const present = new Set(sections.map((s) => s.id));
  const missing = (Object.keys(SECTIONS) as SectionId[]).filter((id) => !present.has(id));
  // Runs of faults and cases; the secret scan's and the template review's counts are items looked at.
  const totalRuns = sections.filter((s) => s.id !== 'secret-hygiene' && s.id !== 'deployed-shape').reduce((n, s) => n + s.rows.reduce((m, r) => m + r.runs, 0), 0);
  const lost = sections.flatMap((s) => s.rows.filter((r) => !r.lost.startsWith('nothing')).map((r) => `${SECTIONS[s.id]}: ${r.fault} — ${r.lost}`));
  const lines = [
    '# acmeflow reliability and security report',
    '',
    'Regenerated by the reliability suite (`npx vitest run test/reliability`, part of `npm test`); do not edit by hand.',
    'Each row is one fault or case: how many runs it was tried on, how they ended, and what was lost or left behind',
    '("nothing" means every invariant held: a valid certificate or a typed error, `live/` on a complete version whose key',
    'matches, no TXT record, pending key, lock, in-flight marker or `live/` switch journal left, no secret in any log, event,',
    'state or file; anything else is listed below and in its row).',
    '',
    `Last run: ${new Date().toISOString()} on Node ${process.version}; ${totalRuns} runs of faults and cases in ${sections.length} sections` +
      ` (${(sections.reduce((n, s) => n + s.durationMs, 0) / 1000).toFixed(1)} s of test time)` +
      `${process.env.ACMEFLOW_RELIABILITY_LONG === '1' ? ', long variant' : '; `ACMEFLOW_RELIABILITY_LONG=1` runs the long variant (more runs per fault, every kill point inside StoreCertificate, kills at fixed delays, twenty lineages on the AWS handlers)'}.`,
    '',
    lost.length === 0 ? '**Nothing was lost.**' : `**Lost or left behind:**\n\n${lost.map((l) => `- ${l}`).join('\n')}`,
    '',
  ];
  for (const section of sections) {
    lines.push(`## ${SECTIONS[section.id]}`, '', `${(section.durationMs / 1000).toFixed(1)} s.`, '');
    if (section.rows.length > 0) {
      lines.push('| fault | runs | outcome | lost |', '|---|---:|---|---|');
      for (const row of section.rows) lines.push(`| ${cell(row.fault)} | ${row.runs} | ${cell(row.outcome)} | ${cell(row.lost)} |`);
      lines.push('');
    }
    for (const note of section.notes) lines.push(`- ${note}`);
    if (section.notes.length > 0) lines.push('');
  }
  if (missing.length > 0) {
    lines.push('## Not run in this invocation', '', ...missing.map((id) => `- ${SECTIONS[id]}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
