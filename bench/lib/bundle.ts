/**
 * A diagnostic variant of the acmeflow command: the same `cli/main.ts`, bundled by esbuild into one
 * ESM file (as the Lambda functions are bundled), run by plain Node without tsx. It isolates what
 * the shipped `bin/acmeflow.mjs` pays to start — tsx compiling and resolving several hundred
 * modules through its loader hooks on every run — from what the workflow itself costs.
 * It is not what `npm` installs today; the results label it as such.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './clients.js';

/** Builds `<dir>/cli/bundle/acmeflow.mjs`; returns its path. */
export async function bundleCli(dir: string): Promise<string> {
  // cli/engine/definitions.ts finds the committed ASL files at `../../infra/definitions/` from its own
  // module URL, which in a bundle is the bundle's: two levels below `dir`, with the folder linked there.
  const outDir = join(dir, 'cli', 'bundle');
  await mkdir(join(dir, 'infra'), { recursive: true });
  await symlink(join(ROOT, 'infra', 'definitions'), join(dir, 'infra', 'definitions'));
  await mkdir(outDir, { recursive: true });
  const entry = join(outDir, 'entry.ts');
  await writeFile(
    entry,
    [
      `import { main } from ${JSON.stringify(join(ROOT, 'cli', 'main.ts'))};`,
      'process.exitCode = await main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });',
      '',
    ].join('\n'),
  );
  const outfile = join(outDir, 'acmeflow.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    logLevel: 'error',
    // CommonJS dependencies call require(); ESM output has none unless it is made.
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
}
