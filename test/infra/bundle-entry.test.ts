/**
 * Every function is its own esbuild bundle (infra/lambda/acmeflow-function.ts): each LAMBDA_STEPS
 * step and each extra handler has an entry that exists and exports what Lambda and the local engine
 * call, and each bundle, built as the construct builds it (LAMBDA_BUNDLE), stays under 1 MB and holds
 * only the AWS SDK clients of its step's access (STEP_ACCESS).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/lambda/acmeflow-function.js';
import { lambdaEsbuildOptions } from '../../infra/lambda/bundle-options.js';
import { EXTRA_HANDLERS, FUNCTION_ENTRIES, stepEntry, type FunctionEntry } from '../../infra/lambda/handler-names.js';
import { STEP_ACCESS, type FunctionAccess } from '../../shared/workflow/machines/step-access.js';
import { LAMBDA_STEPS, type LambdaStep } from '../../shared/workflow/machines/index.js';

const ONE_MB = 1024 * 1024;

/** The SDK clients an access flag brings (its adapter's client; the route53 provider's STS for an assumed role). */
function expectedClients(access: FunctionAccess): string[] {
  const clients = new Set<string>();
  if (access.store || access.locks || access.sweeps) clients.add('client-s3');
  if (access.certificateKeys || access.accountKeys || access.eab || access.dns) clients.add('client-secrets-manager');
  if (access.dns) {
    clients.add('client-route-53');
    clients.add('client-sts');
  }
  if (access.events) clients.add('client-eventbridge');
  return [...clients].sort();
}

interface Bundle {
  readonly bytes: number;
  readonly inputs: readonly string[];
  readonly text: string;
}

const bundles = new Map<string, Bundle>();

beforeAll(async () => {
  // esbuild runs the builds side by side.
  await Promise.all(
    FUNCTION_ENTRIES.map(async (fn) => {
      const result = await esbuild.build({
        ...lambdaEsbuildOptions(),
        absWorkingDir: PROJECT_ROOT,
        entryPoints: [path.join(PROJECT_ROOT, fn.entry)],
        outfile: path.join(PROJECT_ROOT, 'cdk.out', 'bundle-test', fn.folder, 'index.mjs'),
        write: false,
        metafile: true,
      });
      const output = result.outputFiles[0]!;
      bundles.set(fn.folder, { bytes: output.contents.byteLength, inputs: Object.keys(result.metafile.inputs), text: output.text });
    }),
  );
}, 120_000);

const sdkClients = (bundle: Bundle) =>
  [...new Set(bundle.inputs.map((input) => /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input)?.[1]).filter((c): c is string => c !== undefined))].sort();

describe('function entries', () => {
  it('one per LAMBDA_STEPS step and extra handler, each file present', () => {
    expect(FUNCTION_ENTRIES.map((f) => f.name)).toEqual([...Object.keys(LAMBDA_STEPS), ...Object.keys(EXTRA_HANDLERS)]);
    for (const fn of FUNCTION_ENTRIES) expect(existsSync(path.join(PROJECT_ROOT, fn.entry)), fn.entry).toBe(true);
  });

  it.each(Object.entries(LAMBDA_STEPS))('%s points at functions/%s/handler.ts, which exports handler and makeHandler', async (_step, folder) => {
    expect(stepEntry(folder)).toBe(`functions/${folder}/handler.ts`);
    const mod = (await import(path.join(PROJECT_ROOT, stepEntry(folder)))) as Record<string, unknown>;
    expect(typeof mod['handler']).toBe('function');
    expect(typeof mod['makeHandler']).toBe('function');
  });

  it.each(Object.entries(EXTRA_HANDLERS))('%s (%s) exports handler', async (_name, file) => {
    const mod = (await import(path.join(PROJECT_ROOT, file))) as Record<string, unknown>;
    expect(typeof mod['handler']).toBe('function');
  });
});

describe('function bundles, built as the construct builds them', () => {
  it.each(FUNCTION_ENTRIES.map((f) => [f.folder, f] as [string, FunctionEntry]))('%s is under 1 MB (minified)', (folder) => {
    expect(bundles.get(folder)!.bytes).toBeLessThan(ONE_MB);
  });

  it.each(Object.entries(LAMBDA_STEPS) as [LambdaStep, string][])('%s holds only the SDK clients of its STEP_ACCESS', (step, folder) => {
    expect(sdkClients(bundles.get(folder)!)).toEqual(expectedClients(STEP_ACCESS[step]));
  });

  it('holds @peculiar/x509 only where a step parses or creates certificates', () => {
    const withX509 = FUNCTION_ENTRIES.filter((f) => bundles.get(f.folder)!.inputs.some((i) => i.includes('node_modules/@peculiar/x509/'))).map((f) => f.folder);
    expect(withX509.sort()).toEqual(['acm-import', 'finalize-order', 'probe-endpoints', 'revoke-certificate', 'store-certificate']);
  });

  it('holds no CDK code (functions import STEP_ACCESS and LAMBDA_STEPS from infra/, which must stay plain data)', () => {
    for (const fn of FUNCTION_ENTRIES) {
      expect(bundles.get(fn.folder)!.inputs.filter((i) => /node_modules\/(aws-cdk-lib|constructs|cdk-nag)\//.test(i)), fn.folder).toEqual([]);
    }
  });

  it('never imports node:http as an ES module (nodejs/node#59686: it loads undici at every cold start)', () => {
    for (const fn of FUNCTION_ENTRIES) expect(bundles.get(fn.folder)!.text, fn.folder).not.toMatch(/from\s*"(node:)?http"/);
  });
});
