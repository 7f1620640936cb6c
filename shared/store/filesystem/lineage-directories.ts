/**
 * The directories and `live/` links both filesystem adapters (certificates and keys) write into,
 * created with certbot's modes: `archive/`, `live/` and `renewal/` 0700 (certbot's `new_lineage`
 * makes them so: the archive holds every private key ever issued), the per-lineage directories
 * below them 0755 (the umask applies, as in certbot), acmeflow's own `keys/`, `locks/` and
 * `accounts/` 0700.
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ensureDirectory, errorCode, readlinkIfExists, writeFileAtomic } from './atomic-files.js';
import type { CertbotKind, CertbotLayout } from './certbot-layout.js';
import { LineageDirectoryError } from './errors.js';
import { servedLink } from './live-link-switch.js';
import { liveReadme } from './live-readme.js';

const PRIVATE_DIR = 0o700;
const LINEAGE_DIR = 0o755;

/** The config directory itself, like certbot's `/etc/letsencrypt` (0755: servers read `live/` through it). */
export async function ensureConfigDir(layout: CertbotLayout): Promise<void> {
  await mkdir(layout.configDir, { recursive: true, mode: 0o755 });
}

/** `archive/<name>/`, ready for version files. */
export async function ensureArchiveDir(layout: CertbotLayout, name: string): Promise<void> {
  await ensureConfigDir(layout);
  await ensureDirectory(layout.archiveRoot, PRIVATE_DIR);
  await ensureDirectory(layout.archiveDir(name), LINEAGE_DIR);
  await checkLineageDirectory(layout, layout.archiveDir(name));
}

/** `live/<name>/` with certbot's README files in `live/` and in it. */
export async function ensureLiveDir(layout: CertbotLayout, name: string): Promise<void> {
  await ensureConfigDir(layout);
  await ensureDirectory(layout.liveRoot, PRIVATE_DIR);
  await writeFileAtomic(join(layout.liveRoot, 'README'), liveReadme('[cert name]/'), { mode: 0o644, createOnly: true });
  await ensureDirectory(layout.liveDir(name), LINEAGE_DIR);
  await checkLineageDirectory(layout, layout.liveDir(name));
  await writeFileAtomic(join(layout.liveDir(name), 'README'), liveReadme(), { mode: 0o644, createOnly: true });
}

/** One of acmeflow's private directories under the config directory (`keys/pending/<name>`, `locks`, ...). */
export async function ensurePrivateDirs(layout: CertbotLayout, ...dirs: string[]): Promise<void> {
  await ensureConfigDir(layout);
  for (const dir of dirs) await ensureDirectory(dir, PRIVATE_DIR);
}

/**
 * The version `live/` serves for `kind` (`../../archive/x/cert3.pem` → 3), if its link is one of
 * certbot's: the journal's while a switch that was cut short waits for its repair ({@link servedLink}).
 */
export async function liveLinkVersion(layout: CertbotLayout, name: string, kind: CertbotKind): Promise<number | undefined> {
  const target = await readlinkIfExists(await servedLink(layout, name, kind));
  const match = target === undefined ? null : new RegExp(`(?:^|/)${kind}(\\d+)\\.pem$`).exec(target);
  return match ? Number(match[1]) : undefined;
}

/**
 * Refuses `archive/<name>/` and `live/<name>/` when either is a symbolic link or resolves outside
 * the config directory (through a linked `archive/` or `live/`). A directory that does not exist yet
 * passes: it will be created where it belongs. The config directory itself may be a link (a moved
 * `/etc/letsencrypt`): everything is compared after resolving it.
 *
 * @throws LineageDirectoryError naming the directory and where it leads.
 */
export async function checkLineageDirectories(layout: CertbotLayout, name: string): Promise<void> {
  await checkLineageDirectory(layout, layout.archiveDir(name));
  await checkLineageDirectory(layout, layout.liveDir(name));
}

async function checkLineageDirectory(layout: CertbotLayout, dir: string): Promise<void> {
  const shown = relative(layout.configDir, dir);
  const info = await lstat(dir).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info === undefined) return;
  if (info.isSymbolicLink()) {
    const target = await realpath(dir).catch(() => undefined);
    throw new LineageDirectoryError(shown, `is a symbolic link${target ? ` (to ${target})` : ' (dangling)'}`);
  }
  if (!info.isDirectory()) throw new LineageDirectoryError(shown, 'is not a directory');
  const [real, root] = await Promise.all([realpath(dir), realpath(layout.configDir)]);
  if (!real.startsWith(`${root}${sep}`)) throw new LineageDirectoryError(shown, `leads outside the config directory (to ${real}, through a symbolic link above it)`);
}
