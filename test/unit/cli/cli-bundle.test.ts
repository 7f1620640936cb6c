/**
 * bin/cli-bundle.mjs: the bundle `acmeflow` runs is rebuilt whenever it could differ from the
 * sources, and several processes building at once leave one complete, runnable bundle.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript, no declarations (it runs before any TypeScript can load).
import { buildBundle, freshBundle, ROOT } from '../../../bin/cli-bundle.mjs';

const run = promisify(execFile);
const build = buildBundle as (dir?: string) => Promise<string>;
const fresh = freshBundle as (dir?: string) => Promise<string | undefined>;
const root = ROOT as string;

// Under dist/ like the real bundle (so its module resolution is the project's), in a folder of its own.
const dir = join(root, 'dist', `test-${process.pid}`, 'cli');

interface Manifest {
  startedAtMs: number;
  sources: string[];
  files: string[];
}
const readManifest = async (): Promise<Manifest> => JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
const writeManifest = (manifest: Manifest) => writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));

describe('the acmeflow command bundle', () => {
  beforeAll(async () => {
    await build(dir);
  }, 120_000);
  afterAll(async () => {
    await rm(join(root, 'dist', `test-${process.pid}`), { recursive: true, force: true });
  });

  it('records every project source it was built from, and none from node_modules', async () => {
    const manifest = await readManifest();
    expect(manifest.sources).toContain('cli/bin-entry.ts');
    expect(manifest.sources).toContain('cli/main.ts');
    expect(manifest.sources).toContain('shared/acme/index.ts');
    expect(manifest.sources.some((f) => f.includes('node_modules'))).toBe(false);
    expect(await fresh(dir)).toBe(join(dir, 'acmeflow.js'));
  });

  it('is stale when a source changed after the build started', async () => {
    const manifest = await readManifest();
    try {
      // The same as editing a source a second after the build began, without touching the source.
      await writeManifest({ ...manifest, startedAtMs: 0 });
      expect(await fresh(dir)).toBeUndefined();
    } finally {
      await writeManifest(manifest);
    }
    expect(await fresh(dir)).toBeDefined();
  });

  it('is stale when a source it was built from is gone, or when there is no manifest or entry', async () => {
    const manifest = await readManifest();
    try {
      await writeManifest({ ...manifest, sources: [...manifest.sources, 'cli/removed-since.ts'] });
      expect(await fresh(dir)).toBeUndefined();
      await writeFile(join(dir, 'manifest.json'), '{ broken');
      expect(await fresh(dir)).toBeUndefined();
    } finally {
      await writeManifest(manifest);
    }
    expect(await fresh(join(dir, '..', 'nothing-here'))).toBeUndefined();
  });

  it('is stale when the installed dependencies changed after the build', async () => {
    const manifest = await readManifest();
    const stamp = join(root, 'node_modules', '.package-lock.json');
    const { mtimeMs } = await stat(stamp);
    try {
      // As if `npm ci` ran a moment after the build started.
      await writeManifest({ ...manifest, startedAtMs: mtimeMs - 1 });
      expect(await fresh(dir)).toBeUndefined();
    } finally {
      await writeManifest(manifest);
    }
  });

  it('builds concurrently without a half-written result, and the result runs', async () => {
    const entries = await Promise.all([build(dir), build(dir), build(dir)]);
    expect(new Set(entries)).toEqual(new Set([join(dir, 'acmeflow.js')]));
    const manifest = await readManifest();
    const present = new Set(await readdir(dir));
    expect(manifest.files.filter((f) => !present.has(f))).toEqual([]);
    expect([...present].filter((f) => f.startsWith('.cli-build'))).toEqual([]);
    const { stdout } = await run(process.execPath, [join(dir, 'acmeflow.js'), '--version']);
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(`acmeflow ${pkg.version}`);
  }, 120_000);

  it('bin/acmeflow.mjs runs the same command from the bundle and from the sources (ACMEFLOW_CLI_SOURCES=1)', async () => {
    await mkdir(join(root, 'dist'), { recursive: true });
    const bundled = await run(process.execPath, [join(root, 'bin', 'acmeflow.mjs'), 'renew', '--help']);
    const sources = await run(process.execPath, [join(root, 'bin', 'acmeflow.mjs'), 'renew', '--help'], { env: { ...process.env, ACMEFLOW_CLI_SOURCES: '1' } });
    expect(bundled.stdout).toContain('renew');
    expect(bundled.stdout).toBe(sources.stdout);
    expect(await fresh()).toBe(join(root, 'dist', 'cli', 'acmeflow.js'));
  }, 120_000);
});
