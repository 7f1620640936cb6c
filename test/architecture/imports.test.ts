import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The folder plan of ARCHITECTURE.md, enforced: one workflow (shared/) and its two runtimes
 * (functions/ on AWS, engine/ on one machine), the command (cli/), the CDK app (infra/), the test
 * servers (harness/). Each rule lists the folders a folder may not import.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder → the top-level folders its files must not import. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  // The core library knows no runtime, no CDK, no command, no test servers.
  shared: ['functions', 'engine', 'cli', 'infra', 'harness', 'bench', 'test'],
  // Runtime code never imports the CDK app: a Lambda bundle or the command would carry aws-cdk-lib.
  functions: ['engine', 'cli', 'infra', 'harness', 'bench', 'test'],
  engine: ['cli', 'infra', 'harness', 'bench', 'test'],
  cli: ['infra', 'bench', 'test'],
  bin: ['infra', 'bench', 'test'],
  harness: ['infra', 'cli', 'bench', 'test'],
  // The CDK app deploys the functions' bundles by path; it never imports the command or tests.
  infra: ['cli', 'engine', 'harness', 'bench', 'test'],
  // Benchmarks may import everything but the tests.
  bench: ['test'],
};

/** Relative module specifiers of a file: static imports and re-exports, dynamic `import()`, `vi.mock`. */
function relativeSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
    /\bvi\.mock\(\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** The top-level folder a specifier of `file` (repo-relative) lands in. */
function topFolderOf(file: string, specifier: string): string {
  const target = path.normalize(path.join(path.dirname(file), specifier));
  return target.split(path.sep)[0]!;
}

/** Every violation in `files` (repo-relative path → content): "file → specifier (folder)". */
function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, source] of files) {
    const forbidden = FORBIDDEN[file.split('/')[0]!];
    if (!forbidden) continue;
    for (const specifier of relativeSpecifiers(source)) {
      const folder = topFolderOf(file, specifier);
      if (forbidden.includes(folder)) out.push(`${file} → ${specifier} (${folder}/)`);
    }
  }
  return out;
}

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(rel);
      } else if (/\.(ts|mts|mjs|js)$/.test(entry.name)) {
        files.set(rel, readFileSync(path.join(ROOT, rel), 'utf8'));
      }
    }
  };
  for (const dir of Object.keys(FORBIDDEN)) walk(dir);
  return files;
}

describe('the folder plan (ARCHITECTURE.md)', () => {
  it('has no import across a forbidden boundary: runtime code never imports infra/, nothing outside test/ imports test/', () => {
    const files = sourceFiles();
    expect(files.size).toBeGreaterThan(300);
    expect(violations(files)).toEqual([]);
  });

  it('catches a planted violation of each kind', () => {
    const planted = new Map([
      ['functions/plan-renewals/handler.ts', "import { x } from '../../infra/metrics.js';"],
      ['engine/local-engine.ts', "export * from '../infra/state-machines/index.js';"],
      ['cli/demo.ts', "const m = await import('../test/support/certs.js');"],
      ['shared/store/s3/s3-sweep-store.ts', "import type { SweepItem } from '../../../engine/index.js';"],
      ['harness/pebble.ts', "import '../test/support/setup.js';"],
      ['bench/run.ts', "import { x } from '../harness/pebble.js';"],
    ]);
    expect(violations(planted)).toEqual([
      'functions/plan-renewals/handler.ts → ../../infra/metrics.js (infra/)',
      'engine/local-engine.ts → ../infra/state-machines/index.js (infra/)',
      'cli/demo.ts → ../test/support/certs.js (test/)',
      'shared/store/s3/s3-sweep-store.ts → ../../../engine/index.js (engine/)',
      'harness/pebble.ts → ../test/support/setup.js (test/)',
    ]);
  });
});
