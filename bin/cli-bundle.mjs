// The `acmeflow` command's bundle: cli/main.ts built by esbuild into dist/cli/, so the command starts
// in a few hundred milliseconds instead of paying tsx's compile-and-resolve of several hundred
// TypeScript modules at every start (2-3 s, bench/RESULTS.md). Built on first use and rebuilt when any
// source file it was built from, or the installed dependencies, changed since; `npm run build:cli`
// builds it ahead. Plain JavaScript: this runs before any TypeScript can be loaded.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (bin/..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the bundle goes (the state machine definitions are inside it, imported as JSON). */
export const BUNDLE_DIR = join(ROOT, 'dist', 'cli');
const ENTRY_SOURCE = join(ROOT, 'cli', 'bin-entry.ts');

/** What changes the dependencies: npm rewrites this file on every install. */
const DEPENDENCY_STAMP = join(ROOT, 'node_modules', '.package-lock.json');

/** A chunk of an older build stays this long, for a process still running that build (cloud mode loads its chunk late). */
const OLD_CHUNK_GRACE_MS = 60 * 60 * 1000;

/**
 * The entry file of the bundle in `dir` when it is up to date, else undefined. Checks the modification time of
 * every project source the last build read (about 250 files: a few milliseconds) and of the
 * installed dependencies against the time that build started.
 */
export async function freshBundle(dir = BUNDLE_DIR) {
  const entry = join(dir, 'acmeflow.js');
  let manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifest.sources) || typeof manifest.startedAtMs !== 'number') return undefined;
  try {
    await stat(entry);
    const times = await Promise.all(manifest.sources.map(async (file) => (await stat(join(ROOT, file))).mtimeMs));
    const dependencies = await stat(DEPENDENCY_STAMP).then((s) => s.mtimeMs, () => 0);
    return [...times, dependencies].every((mtime) => mtime <= manifest.startedAtMs) ? entry : undefined;
  } catch {
    // A source was deleted or renamed, or the bundle is gone.
    return undefined;
  }
}

/**
 * Builds the bundle into `dir` and returns its entry. Safe when several processes build at once: each builds
 * into its own directory; chunks have content-hashed names and move in first, the entry and the
 * manifest move in last, each by an atomic rename, so a reader sees a complete old or new build.
 */
export async function buildBundle(dir = BUNDLE_DIR) {
  const { build } = await import('esbuild');
  const startedAtMs = Date.now();
  const work = join(dirname(dir), `.cli-build-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    const result = await build({
      entryPoints: { acmeflow: ENTRY_SOURCE },
      outdir: work,
      bundle: true,
      splitting: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      // The ESM builds of the dependencies, so esbuild drops what the command never uses.
      mainFields: ['module', 'main'],
      // Cloud mode (the AWS SDK clients) and each DNS provider's SDK load from their own chunks, on use.
      chunkNames: 'chunk-[hash]',
      metafile: true,
      logLevel: 'silent',
      // CommonJS dependencies call require(); an ESM file has none unless it is made.
      banner: { js: "import { createRequire as __acmeflowRequire } from 'module'; const require = __acmeflowRequire(import.meta.url);" },
    });
    const sources = Object.keys(result.metafile.inputs)
      .map((input) => relative(ROOT, join(ROOT, input)))
      .filter((file) => !file.startsWith('node_modules') && !file.startsWith('..'));
    await mkdir(dir, { recursive: true });
    const files = await readdir(work);
    for (const file of files.filter((f) => f !== 'acmeflow.js')) await rename(join(work, file), join(dir, file));
    await rename(join(work, 'acmeflow.js'), join(dir, 'acmeflow.js'));
    const manifestTmp = join(work, 'manifest.json');
    await writeFile(manifestTmp, `${JSON.stringify({ startedAtMs, sources, files }, null, 1)}\n`);
    await rename(manifestTmp, join(dir, 'manifest.json'));
    await pruneOldChunks(dir, new Set([...files, 'manifest.json']));
    return join(dir, 'acmeflow.js');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Removes chunks of earlier builds once no process can still be running them. */
async function pruneOldChunks(dir, keep) {
  const now = Date.now();
  for (const file of await readdir(dir)) {
    if (keep.has(file)) continue;
    const path = join(dir, file);
    try {
      if (now - (await stat(path)).mtimeMs > OLD_CHUNK_GRACE_MS) await rm(path, { force: true });
    } catch {
      // Pruned by a concurrent build.
    }
  }
}

// `node bin/cli-bundle.mjs` (npm run build:cli): build now and say where.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = await buildBundle();
  process.stdout.write(`Built ${relative(process.cwd(), entry)}\n`);
}
