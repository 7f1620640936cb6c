import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeflowFunction, PROJECT_ROOT, prebuiltFunctionDir } from '../../infra/lambda/acmeflow-function.js';

/**
 * Where a function's code comes from: its prebuilt bundle when `npm run build` put one beside the
 * entry (the installed package), else its TypeScript source bundled by NodejsFunction (this repository).
 */

let dir: string;
beforeAll(() => {
  // The package's layout: functions/<folder>/index.mjs, no handler.ts.
  dir = mkdtempSync(path.join(tmpdir(), 'acmeflow-prebuilt-'));
  mkdirSync(path.join(dir, 'functions', 'poll-order'), { recursive: true });
  writeFileSync(path.join(dir, 'functions', 'poll-order', 'index.mjs'), 'export const handler = async () => ({});\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function synth(entry: string) {
  // No bundling in this test (the example-app and pack tests bundle for real).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'S');
  const fn = new AcmeflowFunction(stack, 'Fn', { entry, description: 'test', environment: {}, timeout: Duration.seconds(10) });
  return { fn, template: Template.fromStack(stack) };
}

describe('AcmeflowFunction code', () => {
  it('deploys the prebuilt bundle when index.mjs sits beside the entry: Code.fromAsset of that folder, handler index.handler', () => {
    const entry = path.join(dir, 'functions', 'poll-order', 'handler.ts');
    expect(prebuiltFunctionDir(entry)).toBe(path.join(dir, 'functions', 'poll-order'));
    const { fn, template } = synth(entry);
    expect(fn.function).not.toBeInstanceOf(NodejsFunction);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  it('bundles from source in this repository, where no prebuilt bundle exists', () => {
    const entry = path.join(PROJECT_ROOT, 'functions', 'poll-order', 'handler.ts');
    expect(prebuiltFunctionDir(entry)).toBeUndefined();
    expect(synth(entry).fn.function).toBeInstanceOf(NodejsFunction);
  });

  it('fails synth with FunctionCodeMissingError when neither exists (a package built without that function)', () => {
    expect(() => synth(path.join(dir, 'functions', 'not-built', 'handler.ts'))).toThrow(expect.objectContaining({ name: 'FunctionCodeMissingError' }));
  });
});
