#!/usr/bin/env node
// The `acmeflow` command. Runs cli/bin-entry.ts from the esbuild bundle in dist/cli/, built on first
// use and whenever a source changed (bin/cli-bundle.mjs), so `npx acmeflow` works right after
// `npm ci` with no build step and starts in a fraction of a second. Falls back to running the
// TypeScript sources through tsx when the bundle cannot be built (esbuild missing, read-only tree).
// Installed from the npm package, it runs the bundle the package's build made (lib/cli/).
// npx puts node_modules/.bin first on PATH, where the `node@22` devDependency provides Node 22.
// Nothing is imported statically: the version check below must run before any code that needs Node 22.

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  // The command and its dependencies use Node 22 APIs (Promise.withResolvers, the module compile
  // cache, aws-local-stepfunctions); an older Node would fail later with a stack trace.
  process.stderr.write(`acmeflow needs Node.js 22 or later; ${process.execPath} is Node ${process.versions.node}. Run it with Node 22 (npx acmeflow uses the project's node@22).\n`);
  process.exit(1);
}

const { default: module } = await import('node:module');
const { existsSync } = await import('node:fs');
const { fileURLToPath, pathToFileURL } = await import('node:url');

// Installed from the package (npm install acmeflow): the TypeScript sources are not shipped, the
// bundle `npm run build` made is (lib/cli/), and esbuild and tsx are not installed.
const PACKAGED_ENTRY = fileURLToPath(new URL('../lib/cli/acmeflow.js', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../cli/bin-entry.ts', import.meta.url))) && existsSync(PACKAGED_ENTRY)) {
  // V8 keeps the compiled bundle in the OS temporary directory's cache (the package directory may be read-only).
  module.enableCompileCache?.();
  await import(pathToFileURL(PACKAGED_ENTRY).href);
} else {
  await runFromSources();
}

/** In this repository: the bundle in dist/cli/, rebuilt when a source changed, else the sources through tsx. */
async function runFromSources() {
  const { buildBundle, freshBundle, ROOT } = await import('./cli-bundle.mjs');
  // V8 keeps the compiled bundle on disk (Node >= 22.1): later starts skip parsing it.
  module.enableCompileCache?.(`${ROOT}/dist/.compile-cache`);

  let entry;
  if (process.env.ACMEFLOW_CLI_SOURCES !== '1') {
    entry = await freshBundle();
    if (!entry) entry = await buildBundle().catch(() => undefined);
  }
  if (entry) {
    await import(pathToFileURL(entry).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../cli/bin-entry.ts');
  }
}
