/**
 * What a lineage looks like on disk after a run (certbot's layout under a config dir), and the
 * invariants every run must leave: `live/` links all on one complete version whose key matches its
 * certificate, every archive version complete, the conf's version the one served, and nothing left
 * behind — no lock, no in-flight marker, no pending key, no TXT value.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { keyMatchesCertificate } from '../../../shared/crypto/index.js';
import { FilesystemCertificateStore, FilesystemKeyStore } from '../../../shared/store/filesystem/index.js';

const LIVE_FILES = ['cert', 'chain', 'fullchain', 'privkey'] as const;

export interface LineageOnDisk {
  /** The version each live link points at (undefined: no link). */
  readonly links: Record<(typeof LIVE_FILES)[number], number | undefined>;
  /** Version numbers with any file in `archive/<name>/`. */
  readonly archived: number[];
  /** Versions with all of cert, chain, fullchain, privkey and meta. */
  readonly complete: number[];
  /** Versions whose certificate side is complete (meta written last), with or without the key. */
  readonly certified: number[];
  /** The conf's `currentVersion` (undefined: no conf). */
  readonly stateVersion: number | undefined;
  readonly inflight: boolean;
  readonly failures: number;
  readonly retryNotBefore: string | undefined;
  readonly lockFile: boolean;
  readonly pendingKeys: string[];
  /** Whether the live key matches the live certificate (undefined: nothing live). */
  readonly liveKeyMatches: boolean | undefined;
  /** The version each of certbot's journal links (`live/<name>/previous_<kind>.pem`) points at: only while a switch runs or was cut short. */
  readonly journal: Record<(typeof LIVE_FILES)[number], number | undefined>;
  /** What the stores answer a reader (`getLive`, `getCurrentCertificateKey`): the journal's pair while a switch waits for its repair. */
  readonly served: { readonly version: number | undefined; readonly keyMatches: boolean | undefined };
}

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

export async function inspectLineage(configDir: string, name: string): Promise<LineageOnDisk> {
  const linkVersions = async (prefix: string) => {
    const out = {} as Record<(typeof LIVE_FILES)[number], number | undefined>;
    for (const file of LIVE_FILES) {
      const target = await readlink(join(configDir, 'live', name, `${prefix}${file}.pem`)).catch(() => undefined);
      const m = target === undefined ? null : new RegExp(`${file}(\\d+)\\.pem$`).exec(target);
      out[file] = m ? Number(m[1]) : undefined;
    }
    return out;
  };
  const links = await linkVersions('');
  const journal = await linkVersions('previous_');
  const archiveFiles = await names(join(configDir, 'archive', name));
  const byVersion = new Map<number, Set<string>>();
  for (const file of archiveFiles) {
    const m = /^(cert|chain|fullchain|privkey|meta)(\d+)\.(pem|json)$/.exec(file);
    if (!m) continue;
    const v = Number(m[2]);
    if (!byVersion.has(v)) byVersion.set(v, new Set());
    byVersion.get(v)!.add(m[1] as string);
  }
  const archived = [...byVersion.keys()].sort((a, b) => a - b);
  const complete = archived.filter((v) => ['cert', 'chain', 'fullchain', 'privkey', 'meta'].every((k) => byVersion.get(v)!.has(k)));
  const stored = await new FilesystemCertificateStore({ configDir }).getLineage(name).catch(() => undefined);
  const state = stored?.lineage.state;
  let liveKeyMatches: boolean | undefined;
  if (links.cert !== undefined && links.privkey !== undefined) {
    const [cert, key] = await Promise.all([
      readFile(join(configDir, 'live', name, 'cert.pem'), 'utf8').catch(() => ''),
      readFile(join(configDir, 'live', name, 'privkey.pem'), 'utf8').catch(() => ''),
    ]);
    liveKeyMatches = cert !== '' && key !== '' && (await keyMatchesCertificate(key, cert).catch(() => false));
  }
  const servedCert = await new FilesystemCertificateStore({ configDir }).getLive(name).catch(() => undefined);
  const servedKey = await new FilesystemKeyStore({ configDir }).getCurrentCertificateKey(name).catch(() => undefined);
  const served = {
    version: servedCert?.version,
    keyMatches: servedCert && servedKey ? await keyMatchesCertificate(servedKey, servedCert.certPem).catch(() => false) : undefined,
  };
  return {
    links,
    journal,
    served,
    archived,
    complete,
    certified: archived.filter((v) => byVersion.get(v)!.has('meta')),
    stateVersion: state?.currentVersion,
    inflight: state?.inflight !== undefined,
    failures: state?.failures?.count ?? 0,
    retryNotBefore: state?.failures?.retryNotBefore,
    lockFile: (await names(join(configDir, 'locks'))).includes(`${name}.lock`),
    pendingKeys: await names(join(configDir, 'keys', 'pending', name)),
    liveKeyMatches,
  };
}

/**
 * What is wrong with what is served from `live/`, if anything: links on different versions, a link to
 * an incomplete version, a key that does not match. Empty when nothing is live at all.
 */
export function liveProblems(disk: LineageOnDisk): string[] {
  const problems: string[] = [];
  const versions = new Set(Object.values(disk.links));
  if (versions.size === 1 && versions.has(undefined)) return problems;
  if (versions.size !== 1 || versions.has(undefined)) problems.push(`live links on different versions ${JSON.stringify(disk.links)}`);
  const v = disk.links.cert;
  if (v !== undefined && !disk.complete.includes(v)) problems.push(`live/ serves version ${v}, which is incomplete`);
  if (disk.liveKeyMatches === false) problems.push('the live key does not match the live certificate');
  return problems;
}

/** Live links that point at a version that is not complete (the one thing no crash may cause). */
export function liveOnIncomplete(disk: LineageOnDisk): string[] {
  return Object.entries(disk.links)
    .filter(([, v]) => v !== undefined && !disk.complete.includes(v))
    .map(([file, v]) => `live/${file}.pem points at incomplete version ${v}`);
}

/**
 * What is wrong right after a kill, measured against the documented guarantee of the filesystem
 * store (`FilesystemCertificateStore.promoteVersion`): every live link points into a complete
 * version, and either all four are on one version whose key matches, or the kill landed inside the
 * four-rename swap — then the links mix `old` and the new version only, certbot's journal
 * (`previous_*.pem`) is complete and names `old` for all four, and the stores already answer
 * `old`'s matching pair. Resolves whether the kill landed inside the swap.
 */
export function atKillProblems(disk: LineageOnDisk, old: number | undefined): { problems: string[]; insideSwap: boolean } {
  const incomplete = liveOnIncomplete(disk);
  if (incomplete.length > 0) return { problems: incomplete, insideSwap: false };
  const mixed = liveProblems(disk);
  const journal = Object.values(disk.journal);
  if (mixed.length === 0) return { problems: [], insideSwap: false };
  if (old === undefined || journal.some((v) => v !== old)) return { problems: [...mixed, `journal ${JSON.stringify(disk.journal)} does not name the old version ${old} for all four links`], insideSwap: false };
  const problems: string[] = [];
  const others = new Set(Object.values(disk.links).filter((v) => v !== old));
  if (others.size !== 1) problems.push(`live links on more than two versions ${JSON.stringify(disk.links)}`);
  if (disk.served.version !== old || disk.served.keyMatches !== true) problems.push(`the stores answer version ${disk.served.version} (key matches: ${disk.served.keyMatches}), not the journal's version ${old}`);
  return { problems, insideSwap: true };
}

/** What a finished run left behind, if anything (besides {@link liveProblems}). */
export function leftovers(disk: LineageOnDisk): string[] {
  const problems: string[] = [];
  const incomplete = disk.archived.filter((v) => !disk.complete.includes(v));
  if (incomplete.length > 0) problems.push(`half-written archive version(s) ${incomplete.join(', ')}`);
  if (disk.stateVersion !== undefined && disk.links.cert !== undefined && disk.stateVersion !== disk.links.cert) {
    problems.push(`the conf says version ${disk.stateVersion}, live/ serves ${disk.links.cert}`);
  }
  if (disk.inflight) problems.push('in-flight marker left');
  if (disk.lockFile) problems.push('lock file left');
  if (disk.pendingKeys.length > 0) problems.push(`${disk.pendingKeys.length} pending key(s) left`);
  if (Object.values(disk.journal).some((v) => v !== undefined)) problems.push(`live/ switch journal left ${JSON.stringify(disk.journal)}`);
  return problems;
}

/** The TXT values left at the challenge names of `domains`, by name (only non-empty ones). */
export async function leftoverTxt(domains: readonly string[], query: (name: string) => Promise<string[]>): Promise<Record<string, string[]>> {
  const left: Record<string, string[]> = {};
  for (const domain of new Set(domains.map((d) => d.replace(/^\*\./, '')))) {
    const name = `_acme-challenge.${domain}`;
    const values = await query(name);
    if (values.length > 0) left[name] = values;
  }
  return left;
}
