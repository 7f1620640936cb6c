import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, SHARED_BUNDLE_ENTRY } from '../../infra/lambda/acmeflow-function.js';
import { EXTRA_HANDLERS, STEP_EXPORTS } from '../../infra/lambda/handler-names.js';

describe('shared bundle entry', () => {
  const entry = readFileSync(SHARED_BUNDLE_ENTRY, 'utf8');
  const exported = [...entry.matchAll(/export \{ handler as (\w+) \} from '([^']+)';/g)].map((m) => ({ name: m[1]!, file: path.resolve(path.dirname(SHARED_BUNDLE_ENTRY), m[2]!.replace(/\.js$/, '.ts')) }));

  it('exports the handler of every step of LAMBDA_STEPS under its camel-case name', () => {
    for (const { folder, exportName } of STEP_EXPORTS) {
      expect(exported, folder).toContainEqual({ name: exportName, file: path.join(PROJECT_ROOT, 'functions', folder, 'handler.ts') });
    }
  });

  it('exports the construct functions too, and nothing else', () => {
    for (const [name, file] of Object.entries(EXTRA_HANDLERS)) expect(exported).toContainEqual({ name, file: path.join(PROJECT_ROOT, file) });
    expect(exported).toHaveLength(STEP_EXPORTS.length + Object.keys(EXTRA_HANDLERS).length);
  });

  it('points at handler files that exist', () => {
    for (const { file } of exported) expect(existsSync(file), file).toBe(true);
  });

  it('loads reflect-metadata before any handler (for @peculiar/x509)', () => {
    expect(entry.indexOf("import 'reflect-metadata';")).toBeGreaterThan(-1);
    expect(entry.indexOf("import 'reflect-metadata';")).toBeLessThan(entry.indexOf('export {'));
  });
});
