/**
 * The contract the CDK construct and the local engine rely on: one `functions/<folder>/handler.ts`
 * per LAMBDA_STEPS entry and no other step folder, each exporting `handler` and `makeHandler`, each
 * importing reflect-metadata first, and none building anything at import time.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAMBDA_STEPS } from '../../../shared/workflow/machines/lambda-resources.js';
import { memoryDeps } from './support/memory-deps.js';

const FUNCTIONS = fileURLToPath(new URL('../../../functions/', import.meta.url));
/**
 * Folders of functions/ that are not Step Functions Tasks: the shell code the handlers share, and
 * Lambdas the CDK construct adds besides the workflow (infra/lambda/handler-names.ts EXTRA_HANDLERS).
 * Anything else must be a LAMBDA_STEPS folder, so a misspelled step folder is caught.
 */
const NOT_STEPS = new Set(['runtime', 'sync-lineages', 'acm-import', 'certificate-handle', 'delete-secrets', 'probe-endpoints']);

async function stepFolders(): Promise<string[]> {
  const entries = await readdir(FUNCTIONS, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !NOT_STEPS.has(e.name)).map((e) => e.name).sort();
}

describe('functions/<step>/handler.ts', () => {
  it('exists for every LAMBDA_STEPS folder, and there is no step folder LAMBDA_STEPS does not name', async () => {
    const expected = [...new Set(Object.values(LAMBDA_STEPS))].sort();
    expect(await stepFolders()).toEqual(expected);
    for (const folder of expected) expect(existsSync(join(FUNCTIONS, folder, 'handler.ts')), folder).toBe(true);
  });

  it.each(Object.entries(LAMBDA_STEPS))('%s (%s) exports handler and makeHandler, and makeHandler(deps) is a handler', async (_step, folder) => {
    const mod = (await import(`../../../functions/${folder}/handler.ts`)) as Record<string, unknown>;
    expect(typeof mod['handler']).toBe('function');
    expect(typeof mod['makeHandler']).toBe('function');
    const made = (mod['makeHandler'] as (deps: unknown) => unknown)(memoryDeps().deps);
    expect(typeof made).toBe('function');
    // Invalid input is refused with the typed error, through the envelope, without touching AWS.
    await expect((made as (e: unknown) => Promise<unknown>)('not an object')).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });

  it.each(Object.values(LAMBDA_STEPS))('%s imports reflect-metadata first', async (folder) => {
    const source = await readFile(join(FUNCTIONS, folder, 'handler.ts'), 'utf8');
    const firstImport = source.split('\n').find((line) => line.startsWith('import '));
    expect(firstImport).toBe("import 'reflect-metadata';");
  });

  it('builds the AWS deps on the first call (not at import), from the environment, naming what is missing', async () => {
    const saved = { bucket: process.env['ACMEFLOW_BUCKET'] };
    delete process.env['ACMEFLOW_BUCKET'];
    try {
      const { handler } = await import('../../../functions/complete-sweep/handler.js');
      const err = (await handler({ due: 0, skipped: 0, dryRun: false, force: false }).catch((e: unknown) => e)) as Error;
      expect(err.name).toBe('ConfigurationError');
      expect(JSON.parse(err.message).message).toContain('ACMEFLOW_BUCKET');
    } finally {
      if (saved.bucket !== undefined) process.env['ACMEFLOW_BUCKET'] = saved.bucket;
    }
  });
});
