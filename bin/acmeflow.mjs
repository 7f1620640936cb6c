#!/usr/bin/env node
// The `acmeflow` command. Runs cli/bin-entry.ts from the esbuild bundle in dist/cli/, built on first
// use and whenever a source changed (bin/cli-bundle.mjs), so `npx acmeflow` works right after
// `npm ci` with no build step and starts in a fraction of a second. Falls back to running the
// TypeScript sources through tsx when the bundle cannot be built (esbuild missing, read-only tree).
// npx puts node_modules/.bin first on PATH, where the `node@22` devDependency provides Node 22.
import module from 'node:module';
import { pathToFileURL } from 'node:url';
import { buildBundle, freshBundle, ROOT } from './cli-bundle.mjs';

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
