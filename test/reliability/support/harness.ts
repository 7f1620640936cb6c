/**
 * Shared pieces of the reliability suite: a logger that keeps every line (for the secret scan),
 * lineages written the way `acmeflow certonly` writes them, a hang guard, and what counts as a
 * typed error.
 */
import { writeFile } from 'node:fs/promises';
import { resolveLineageSpec, type LineageSpecInput } from '../../../shared/config/index.js';
import { FilesystemCertificateStore } from '../../../shared/store/filesystem/index.js';
import type { Logger } from '../../../shared/workflow/index.js';
import type { LogLine } from '../../../harness/workflow-deps.js';

/** Env flag for the long variants (more runs per fault, every kill point several times). */
export const LONG = process.env.ACMEFLOW_RELIABILITY_LONG === '1';

/** A logger that keeps every line. */
export function keepingLogger(lines: LogLine[]): Logger {
  return {
    info: (message, fields) => lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => lines.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
}

/** Writes the EAB credentials file a certbot user would keep (mode 0600). */
export async function writeEabFile(path: string, eab: { kid: string; hmacKey: string }): Promise<void> {
  await writeFile(path, JSON.stringify({ kid: eab.kid, hmacKey: eab.hmacKey }), { mode: 0o600 });
}

/** Writes a new lineage (version 0) into a config dir, as certonly does before its first issuance. */
export async function createLineage(configDir: string, input: LineageSpecInput): Promise<void> {
  await new FilesystemCertificateStore({ configDir }).putLineage({ spec: resolveLineageSpec(input), state: { currentVersion: 0 } }, { expectedEtag: null });
}

export class HangError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'HangError';
  }
}

/** Rejects with {@link HangError} when `promise` does not settle within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HangError(what, ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const UNTYPED = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'AggregateError', 'States.Runtime', 'States.ALL', 'IssuanceFailed']);

/** A typed error: acmeflow's own literal `XxxError` name, not a generic or runtime one. */
export function isTypedError(name: string | undefined): boolean {
  return typeof name === 'string' && /^[A-Z][A-Za-z0-9]*Error$/.test(name) && !UNTYPED.has(name);
}

/** `3× AcmeTimeoutError, 1 certificate` from a list of outcome labels. */
export function tally(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts].map(([label, n]) => `${n}× ${label}`).join(', ');
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
