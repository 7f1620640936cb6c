import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionFolders } from '../../infra/build/build-package.js';
import { PROJECT_ROOT } from '../../infra/lambda/acmeflow-function.js';

/**
 * The package as a person installs it: `npm run build`, `npm pack`, then the tarball installed into a
 * new app outside this repository (in the OS temporary directory) beside aws-cdk-lib and constructs
 * from the npm registry, and the example app (examples/cloudfront-and-alb) compiled against the
 * package's declarations and synthesized with plain node: no esbuild, Docker, tsx or lock file of
 * ours on that side. The registry install runs once (`--prefer-offline`: the cache `npm ci` filled).
 */

const run = promisify(execFile);
const EXAMPLE = path.join(PROJECT_ROOT, 'examples/cloudfront-and-alb');
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const installedVersion = (name: string) => (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let app: string;
let packed: string[] = [];
let template: { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
let assetsManifest: { files: Record<string, { source: { path: string; packaging: string } }> };
const seconds: Record<string, number> = {};

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await step();
  } finally {
    seconds[label] = (Date.now() - started) / 1000;
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'acmeflow-pack-'));
  app = path.join(work, 'app');
  await timed('build', () => run('npm', ['run', 'build'], { cwd: PROJECT_ROOT, maxBuffer: 16 << 20 }));
  // prepack would build again: the build above is the one under test.
  const { stdout } = await timed('pack', () => run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: PROJECT_ROOT, maxBuffer: 64 << 20 }));
  const [result] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = result!.files.map((f) => f.path);
  const tarball = path.join(work, result!.filename);

  // The example app as a consumer has it: its sources and tsconfig, its dependencies with acmeflow from the tarball.
  for (const file of ['app.ts', 'tsconfig.json']) cpSync(path.join(EXAMPLE, file), path.join(app, file));
  const example = JSON.parse(readFileSync(path.join(EXAMPLE, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: example['name'], private: true, type: 'module', dependencies: {} }));
  await timed('install', () =>
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        tarball,
        // The CDK this repository was tested with.
        `aws-cdk-lib@${installedVersion('aws-cdk-lib')}`,
        `constructs@${installedVersion('constructs')}`,
      ],
      { cwd: app, maxBuffer: 16 << 20 },
    ),
  );

  // Compiled against the package's .d.ts with this repository's TypeScript (the app itself installs none).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await timed('tsc', () => run(process.execPath, [tsc, '-p', app], { cwd: app }));
  await timed('synth', () => run(process.execPath, ['dist/app.js'], { cwd: app, env: { ...process.env, CDK_OUTDIR: path.join(app, 'cdk.out') } }));
  template = JSON.parse(readFileSync(path.join(app, 'cdk.out/AcmeflowExample.template.json'), 'utf8'));
  assetsManifest = JSON.parse(readFileSync(path.join(app, 'cdk.out/AcmeflowExample.assets.json'), 'utf8'));
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  process.stdout.write(`pack-and-consume: ${Object.entries(seconds).map(([step, s]) => `${step} ${s.toFixed(1)} s`).join(', ')}\n`);
});

describe('the npm package (npm run build, npm pack)', () => {
  it('ships the compiled construct with declarations, every function prebuilt, the command, and no TypeScript source or test', () => {
    expect(packed).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/acmeflow.mjs', 'lib/infra/index.js', 'lib/infra/index.d.ts', 'lib/cli/acmeflow.js']));
    const folders = functionFolders();
    expect(folders.length).toBeGreaterThanOrEqual(17);
    for (const folder of folders) expect(packed, folder).toContain(`lib/functions/${folder}/index.mjs`);
    expect(packed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packed.filter((f) => /^(test|harness|bench|functions|cli|engine|shared|infra)\//.test(f))).toEqual([]);
  });

  it('installs without esbuild, tsx or cdk-nag', () => {
    expect(existsSync(path.join(app, 'node_modules', pkg.name, 'lib/infra/index.js'))).toBe(true);
    for (const name of ['esbuild', 'tsx', 'cdk-nag', 'typescript']) expect(existsSync(path.join(app, 'node_modules', name)), name).toBe(false);
  });
});

describe('a CDK app that installs it (examples/cloudfront-and-alb)', () => {
  it('deploys each acmeflow function from its prebuilt bundle: a zip asset holding only index.mjs, handler index.handler, Node.js 22', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties['Description'] ?? '').startsWith('acmeflow: '));
    expect(functions.length).toBeGreaterThanOrEqual(17);
    for (const fn of functions) {
      expect(fn.Properties['Handler'], fn.Properties['Description']).toBe('index.handler');
      expect(fn.Properties['Runtime']).toBe('nodejs22.x');
      const key = String(fn.Properties['Code']['S3Key']);
      const asset = assetsManifest.files[key.replace(/\.zip$/, '')];
      expect(asset?.source.packaging, key).toBe('zip');
      expect(readdirSync(path.join(app, 'cdk.out', asset!.source.path))).toEqual(['index.mjs']);
    }
  });

  it('gives CloudFront the handle of the certificate imported in us-east-1 and the ALB listener the one in its region', () => {
    const handles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'Custom::AcmeflowCertificate');
    const handle = (lineage: string) => handles.find(([, r]) => r.Properties['Lineage'] === lineage);
    expect(handle('www')?.[1].Properties['Target']).toBe('acm:us-east-1');
    expect(handle('api')?.[1].Properties['Target']).toBe('acm');
    const [distribution] = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudFront::Distribution');
    expect(distribution!.Properties['DistributionConfig']['ViewerCertificate']['AcmCertificateArn']).toEqual({ 'Fn::GetAtt': [handle('www')![0], 'CertificateArn'] });
    const [listener] = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener');
    expect(listener!.Properties['Protocol']).toBe('HTTPS');
    expect(listener!.Properties['Certificates']).toEqual([{ CertificateArn: { 'Fn::GetAtt': [handle('api')![0], 'CertificateArn'] } }]);
  });

  it('runs the acmeflow command from the package (npx acmeflow)', async () => {
    const bin = path.join(app, 'node_modules/.bin/acmeflow');
    const version = await run(process.execPath, [bin, '--version'], { cwd: app });
    expect(version.stdout.trim()).toBe(`acmeflow ${pkg.version}`);
    // A verb that loads its own chunk and reads a config directory.
    const list = await run(process.execPath, [bin, 'certificates', '--config-dir', path.join(work, 'letsencrypt')], { cwd: app });
    expect(list.stdout).toMatch(/No certificates found/);
  });
});
