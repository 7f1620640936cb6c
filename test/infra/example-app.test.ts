import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/lambda/acmeflow-function.js';

/**
 * `npx cdk synth` of the example app, as on a fresh clone: offline, no credentials, no Docker (local
 * esbuild bundling), cdk-nag's AwsSolutions checks and CDK's template validation on.
 */
let out: string;
let synth: ReturnType<typeof spawnSync>;
let seconds = 0;
beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'acmeflow-cdk-out-'));
  const started = Date.now();
  synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', out], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    // No account or region anywhere: the stack is environment-agnostic.
    env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    timeout: 240_000,
  });
  seconds = (Date.now() - started) / 1000;
}, 250_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('example app (cdk.json)', () => {
  it('synthesizes offline with no cdk-nag finding left', () => {
    expect(synth.status, `${synth.stderr}`).toBe(0);
    expect(String(synth.stderr)).not.toMatch(/AwsSolutions-/);
    const report = readFileSync(path.join(out, 'AwsSolutions--Acmeflow-NagReport.csv'), 'utf8');
    const rows = report.trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((row) => row.includes('"Non-Compliant"'))).toEqual([]);
    const validation = JSON.parse(readFileSync(path.join(out, 'validation-report.json'), 'utf8')) as { pluginReports: { violations?: unknown[] }[] };
    expect(validation.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
    process.stdout.write(`example app: cdk synth took ${seconds.toFixed(1)} s\n`);
  });

  it('bundles every function into its own asset, under 1 MB, that loads and exports its handler', () => {
    const template = JSON.parse(readFileSync(path.join(out, 'Acmeflow.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
    const ours = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('acmeflow:'));
    expect(ours.length).toBe(17);
    const keys = ours.map((r) => r.Properties.Code.S3Key as string);
    expect(new Set(keys).size).toBe(ours.length);
    const files = keys.map((key) => path.join(out, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'));
    for (const file of files) expect(statSync(file).size, file).toBeLessThan(1024 * 1024);
    const loaded = execFileSync(
      'node',
      ['--input-type=module', '-e', `const out = []; for (const f of ${JSON.stringify(files)}) out.push(typeof (await import(f)).handler); console.log(JSON.stringify(out));`],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(loaded)).toEqual(files.map(() => 'function'));
  });
});
