/**
 * `npm run build` (also npm's `prepack`): the package people install.
 *
 * - `lib/infra/`, `lib/shared/`: the construct library (`infra/index.ts` and what it imports),
 *   compiled by tsc with declarations (`tsconfig.build.json`).
 * - `lib/functions/<folder>/index.mjs`: every Lambda function prebuilt, one esbuild bundle per
 *   `functions/<folder>/handler.ts` with the construct's own settings (`LAMBDA_BUNDLE`), where the
 *   compiled `AcmeflowFunction` looks first (`prebuiltFunctionDir`): a consumer's synth loads them with
 *   `Code.fromAsset` and needs no esbuild, Docker or lock file of ours.
 * - `lib/cli/`: the `acmeflow` command's bundle (bin/cli-bundle.mjs), which `bin/acmeflow.mjs` runs
 *   when the TypeScript sources are not there, so `npx acmeflow` needs neither tsx nor esbuild.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
// @ts-expect-error: plain JavaScript, no declarations (it runs before any TypeScript can load).
import { buildBundle } from '../../bin/cli-bundle.mjs';
import { lambdaEsbuildOptions } from '../lambda/bundle-options.js';
import { PREBUILT_BUNDLE_FILE, PROJECT_ROOT } from '../lambda/acmeflow-function.js';

/** Where the build goes (git-ignored; the `files` list of package.json ships it). */
export const BUILD_DIR = path.join(PROJECT_ROOT, 'lib');

/** Every function folder with a handler: the steps, the custom resources and the hooks (not `functions/runtime/`). */
export function functionFolders(root = PROJECT_ROOT): string[] {
  return readdirSync(path.join(root, 'functions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(root, 'functions', entry.name, 'handler.ts')))
    .map((entry) => entry.name)
    .sort();
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(BUILD_DIR, { recursive: true, force: true });

  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(PROJECT_ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: PROJECT_ROOT });

  const folders = functionFolders();
  await Promise.all(
    folders.map((folder) =>
      build({
        ...lambdaEsbuildOptions(),
        absWorkingDir: PROJECT_ROOT,
        entryPoints: [path.join(PROJECT_ROOT, 'functions', folder, 'handler.ts')],
        outfile: path.join(BUILD_DIR, 'functions', folder, PREBUILT_BUNDLE_FILE),
      }),
    ),
  );

  await (buildBundle as (dir: string) => Promise<string>)(path.join(BUILD_DIR, 'cli'));
  process.stdout.write(`Built lib/: the construct library, ${folders.length} functions, the acmeflow command (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(PROJECT_ROOT, 'infra/build/build-package.ts')) await main();
