import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/lambda/acmeflow-function.js';

/**
 * What a consumer of the package needs installed: the packages the construct library imports at run
 * time (infra/index.ts and every module it reaches), no more and no less. The Lambda functions and the
 * command ship as bundles (`npm run build`), so what only they import is a devDependency here.
 */

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** The package name of a bare specifier (`@aws-sdk/client-s3/x` → `@aws-sdk/client-s3`). */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * Walks the module graph from `entry` along relative imports that survive compilation (not
 * `import type`/`export type`; an inline `{ type X }` import still loads its module under
 * verbatimModuleSyntax), or with `types` along every import (what the declarations reach), and
 * returns the bare specifiers met, with the first file importing each.
 */
function moduleImports(entry: string, { types = false } = {}): Map<string, string> {
  const seen = new Set<string>();
  const bare = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const statements = source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm);
    const dynamic = source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
    const specifiers = [...[...statements].filter((m) => types || !m[2]).map((m) => m[3]!), ...[...dynamic].map((m) => m[1]!)];
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
        if (target.endsWith('.ts') && existsSync(target)) visit(target);
      } else if (!BUILTINS.has(specifier) && !bare.has(packageOf(specifier))) {
        bare.set(packageOf(specifier), path.relative(PROJECT_ROOT, file));
      }
    }
  };
  visit(entry);
  return bare;
}

describe('package.json dependencies (what `npm install acmeflow` brings)', () => {
  const entry = path.join(PROJECT_ROOT, 'infra/index.ts');
  const imported = moduleImports(entry);
  // The declarations consumers compile against reach a few more (types of @peculiar/x509 through KeyType).
  const declared = moduleImports(entry, { types: true });

  it('finds the construct’s imports (the walk sees the graph)', () => {
    expect([...imported.keys()]).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs', 'zod']));
  });

  it('declares every package the construct imports at run time as a dependency or peer dependency, none as a devDependency only', () => {
    const missing = [...imported].filter(([name]) => !(name in pkg.dependencies) && !(name in pkg.peerDependencies)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing, 'a package the construct loads at synth must be in "dependencies" (or a peer): consumers do not get devDependencies').toEqual([]);
  });

  it('has no dependency the construct or its declarations do not import: the functions and the command are bundled by `npm run build`', () => {
    const unused = Object.keys(pkg.dependencies).filter((name) => !declared.has(name));
    expect(unused, 'only the Lambda bundles or the command use these: make them devDependencies (the build bundles them)').toEqual([]);
  });

  it('takes aws-cdk-lib and constructs from the app as peer dependencies (one copy of the CDK per app), kept as devDependencies here', () => {
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    for (const name of ['aws-cdk-lib', 'constructs']) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.devDependencies[name], name).toBe(pkg.peerDependencies[name]);
    }
  });

  it('never needs tsx, esbuild or cdk-nag in a consumer', () => {
    for (const name of ['tsx', 'esbuild', 'cdk-nag']) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(imported.has(name), name).toBe(false);
    }
  });
});
