/**
 * The Lambda bundles as the construct builds them (`infra/lambda/acmeflow-function.ts`): one esbuild
 * bundle per function from its own entry (`functions/<step>/handler.ts`, the extra handlers), with
 * the options of `LAMBDA_BUNDLE` (infra/lambda/bundle-options.ts), the same description the
 * construct turns into its `NodejsFunction` bundling props: minified ESM for node22, the
 * createRequire banner, main fields `module,main`, keep-names, the AWS SDK inside (`bundleAwsSDK:
 * true`, nothing external) and the `@smithy/credential-provider-imds` alias.
 *
 * Variants (measured here, never applied to infra/): the SDK left to the runtime (`@aws-sdk/*` and
 * `@smithy/*` external: locally they load from node_modules, as on Lambda from the runtime's
 * /var/runtime/node_modules, so the init figure still pays for them), and the bundle without the
 * imds alias (what the alias saves).
 */
import { mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { lambdaEsbuildOptions } from '../../infra/lambda/bundle-options.js';
import { FUNCTION_ENTRIES } from '../../infra/lambda/handler-names.js';
import { LAMBDA_STEPS } from '../../shared/workflow/machines/lambda-resources.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

/** The construct's esbuild options (infra/lambda/bundle-options.ts `lambdaEsbuildOptions`). */
export const CONSTRUCT_ESBUILD: esbuild.BuildOptions = lambdaEsbuildOptions();

/**
 * Checks that the construct still bundles from `LAMBDA_BUNDLE` the way this benchmark models it, so
 * the figures never silently describe another configuration. Returns the mismatches (empty when in step).
 */
export async function constructDrift(): Promise<string[]> {
  const source = await readFile(path.join(PROJECT_ROOT, 'infra/lambda/acmeflow-function.ts'), 'utf8');
  const expected = [
    'minify: LAMBDA_BUNDLE.minify',
    'keepNames: LAMBDA_BUNDLE.keepNames',
    'format: OutputFormat.ESM',
    'target: LAMBDA_BUNDLE.target',
    'banner: LAMBDA_BUNDLE.banner',
    'mainFields: [...LAMBDA_BUNDLE.mainFields]',
    "esbuildArgs: { '--alias': Object.entries(LAMBDA_BUNDLE.aliases)",
    'bundleAwsSDK: true',
    'runtime: FUNCTION_RUNTIME',
    'architecture: Architecture.ARM_64',
  ];
  const drift = expected.filter((text) => !source.includes(text)).map((text) => `acmeflow-function.ts no longer says ${text}`);
  for (const unexpected of ['externalModules', 'sourceMap: true', 'define:', 'tsconfig:', 'SHARED_BUNDLE']) {
    if (source.includes(unexpected)) drift.push(`acmeflow-function.ts now sets ${unexpected} (not modelled here)`);
  }
  return drift;
}

export interface BundleTarget {
  /** The function folder (`prepare-order`, `sync-lineages`, `acm-import`), or a probe's name. */
  readonly name: string;
  /** Project-relative entry. */
  readonly entry: string;
  /** A workflow step, a function the construct adds besides them, or a benchmark probe. */
  readonly kind: 'step' | 'extra' | 'probe';
}

/** What the construct deploys: one bundle per function (the steps of LAMBDA_STEPS, then sync-lineages and the ACM hook). */
export function bundleTargets(): BundleTarget[] {
  const steps = new Set<string>(Object.values(LAMBDA_STEPS));
  return FUNCTION_ENTRIES.map((fn) => ({ name: fn.folder, entry: fn.entry, kind: steps.has(fn.folder) ? ('step' as const) : ('extra' as const) }));
}

export type Variant = 'construct' | 'sdk-external' | 'no-alias';

export const VARIANT_LABEL: Record<Variant, string> = {
  construct: 'as the construct bundles',
  'sdk-external': '@aws-sdk/* + @smithy/* external (runtime SDK)',
  'no-alias': 'without the imds alias',
};

export interface InputGroup {
  readonly name: string;
  readonly bytes: number;
}

export interface BuiltBundle {
  readonly target: BundleTarget;
  readonly variant: Variant;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Bytes in the output per package (node_modules) or project folder, largest first. */
  readonly groups: readonly InputGroup[];
  /** Bytes in the output per input file, largest first (top 15). */
  readonly topFiles: readonly InputGroup[];
  readonly buildMs: number;
  readonly metafile: esbuild.Metafile;
}

/**
 * Why a package is in a bundle: the shortest chain of imports from the entry to the first input
 * whose path contains `match`. With `dynamic: false` (the default), dynamic imports are not followed:
 * what is left is the code evaluated at import (module init); with `dynamic: true` they are (all of it
 * lands in the one output file, evaluated when first called, e.g. the step's aws-deps.ts on the first invocation).
 */
export function importChain(bundle: BuiltBundle, match: string, options: { dynamic?: boolean } = {}): string[] | undefined {
  const inputs = bundle.metafile.inputs;
  const entry = Object.keys(inputs).find((k) => k === bundle.target.entry);
  if (!entry) return undefined;
  const previous = new Map<string, string | null>([[entry, null]]);
  const dynamicEdge = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const key = queue.shift()!;
    if (key.includes(match)) {
      const chain: string[] = [];
      for (let k: string | null | undefined = key; k; k = previous.get(k)) chain.unshift(`${dynamicEdge.has(k) ? '(dynamic) ' : ''}${k.replace(/^node_modules\//, '')}`);
      return chain;
    }
    for (const imported of inputs[key]?.imports ?? []) {
      if (imported.external || previous.has(imported.path)) continue;
      if (imported.kind === 'dynamic-import' && !options.dynamic) continue;
      previous.set(imported.path, key);
      if (imported.kind === 'dynamic-import') dynamicEdge.add(imported.path);
      queue.push(imported.path);
    }
  }
  return undefined;
}

/** The packages (and project folders) reached from the entry without following dynamic imports: what module init evaluates. */
export function staticPackages(bundle: BuiltBundle): string[] {
  const inputs = bundle.metafile.inputs;
  const seen = new Set<string>([bundle.target.entry]);
  const queue = [bundle.target.entry];
  while (queue.length > 0) {
    for (const imported of inputs[queue.shift()!]?.imports ?? []) {
      if (imported.external || imported.kind === 'dynamic-import' || seen.has(imported.path)) continue;
      seen.add(imported.path);
      queue.push(imported.path);
    }
  }
  return [...new Set([...seen].map(groupOf))].sort();
}

export function groupOf(input: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(input);
  if (nm) return nm[1]!;
  const parts = input.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : input;
}

/**
 * Bundles `target` with the construct's options (plus the variant's change) into `outDir` and reads
 * the metafile. Output: `<outDir>/<variant>/<name>/index.mjs` (Lambda's file name for ESM).
 */
export async function buildBundle(target: BundleTarget, variant: Variant, outDir: string, options: { minify?: boolean } = {}): Promise<BuiltBundle> {
  const dir = path.join(outDir, variant + (options.minify === false ? '-unminified' : ''), target.name.replace(/[^a-z0-9-]+/gi, '_'));
  const file = path.join(dir, 'index.mjs');
  const sdkExternal = variant === 'sdk-external';
  const started = performance.now();
  const result = await esbuild.build({
    ...CONSTRUCT_ESBUILD,
    ...(options.minify === false ? { minify: false } : {}),
    ...(variant === 'no-alias' ? { alias: {} } : {}),
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.join(PROJECT_ROOT, target.entry)],
    outfile: file,
    metafile: true,
    ...(sdkExternal ? { external: ['@aws-sdk/*', '@smithy/*'] } : {}),
  });
  const buildMs = performance.now() - started;
  const output = Object.values(result.metafile!.outputs)[0]!;
  const totals = new Map<string, number>();
  for (const [input, info] of Object.entries(output.inputs)) totals.set(groupOf(input), (totals.get(groupOf(input)) ?? 0) + info.bytesInOutput);
  const groups = [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  const topFiles = Object.entries(output.inputs)
    .map(([name, info]) => ({ name, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 15);
  const text = await readFile(file);
  if (sdkExternal) {
    // The runtime's SDK lives outside the bundle; locally it resolves through the project's node_modules,
    // so a cold import still loads (and is charged for) every SDK module it needs.
    await mkdir(dir, { recursive: true });
    await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules')).catch(() => undefined);
  }
  return { target, variant, file, bytes: text.length, gzipBytes: gzipSync(text, { level: 9 }).length, groups, topFiles, buildMs, metafile: result.metafile! };
}

/** Builds every target in one variant, two at a time (the machine has two cores). */
export async function buildAll(targets: readonly BundleTarget[], variant: Variant, outDir: string): Promise<BuiltBundle[]> {
  const out: BuiltBundle[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      out[i] = await buildBundle(targets[i]!, variant, outDir);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/** The AWS SDK's share of a bundle (`@aws-sdk/*`, `@smithy/*`, `@aws/*`). */
export function sdkBytes(bundle: BuiltBundle): number {
  return bundle.groups.filter((g) => g.name.startsWith('@aws-sdk/') || g.name.startsWith('@smithy/') || g.name.startsWith('@aws/')).reduce((a, g) => a + g.bytes, 0);
}

/** The `@aws-sdk/client-*` packages in a bundle. */
export function sdkClients(bundle: BuiltBundle): string[] {
  return bundle.groups.map((g) => /^@aws-sdk\/(client-.+)$/.exec(g.name)?.[1]).filter((c): c is string => c !== undefined).sort();
}

/** One-line bundles: what each dependency costs alone at a cold import (section 2 of bench/AWS-RESULTS.md). */
export const DEPENDENCY_SNIPPETS: readonly { readonly label: string; readonly code: string }[] = [
  { label: 'nothing (node starting its ES module loader)', code: 'export const x = 1;' },
  { label: 'reflect-metadata', code: "import 'reflect-metadata'; export const x = 1;" },
  { label: 'zod (classic, `import * as z`), one schema', code: "import * as z from 'zod'; export const s = z.object({ a: z.string() });" },
  { label: 'zod/mini, one schema', code: "import * as z from 'zod/mini'; export const s = z.object({ a: z.string() });" },
  { label: '@peculiar/x509 + reflect-metadata', code: "import 'reflect-metadata'; import * as x509 from '@peculiar/x509'; export const x = x509;" },
  { label: 'jose', code: "import * as jose from 'jose'; export const x = jose;" },
  { label: 'Powertools logger (+ new Logger)', code: "import { Logger } from '@aws-lambda-powertools/logger'; export const x = new Logger({ serviceName: 'acmeflow' });" },
  { label: 'S3 client (+ new S3Client)', code: "import { S3Client } from '@aws-sdk/client-s3'; export const x = new S3Client({ region: 'us-east-1' });" },
  {
    label: 'S3 client, without the imds alias',
    code: "import { S3Client } from '@aws-sdk/client-s3'; export const x = new S3Client({ region: 'us-east-1' });",
  },
  { label: 'Secrets Manager client', code: "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'; export const x = new SecretsManagerClient({ region: 'us-east-1' });" },
  { label: 'EventBridge client', code: "import { EventBridgeClient } from '@aws-sdk/client-eventbridge'; export const x = new EventBridgeClient({ region: 'us-east-1' });" },
  { label: 'Route 53 client', code: "import { Route53Client } from '@aws-sdk/client-route-53'; export const x = new Route53Client({ region: 'us-east-1' });" },
  { label: "`import … from 'node:http'` (an ES module import)", code: "import { request } from 'node:http'; export const x = request;" },
];

/** Bundles one {@link DEPENDENCY_SNIPPETS} entry like a function (the imds-alias row without the alias). */
export async function buildSnippet(snippet: { readonly label: string; readonly code: string }, outDir: string): Promise<{ label: string; file: string; bytes: number }> {
  const file = path.join(outDir, 'snippets', snippet.label.replace(/[^a-z0-9]+/gi, '_'), 'index.mjs');
  await esbuild.build({
    ...CONSTRUCT_ESBUILD,
    ...(snippet.label.includes('without the imds alias') ? { alias: {} } : {}),
    absWorkingDir: PROJECT_ROOT,
    stdin: { contents: snippet.code, resolveDir: PROJECT_ROOT, loader: 'ts' },
    outfile: file,
  });
  return { label: snippet.label, file, bytes: (await readFile(file)).length };
}
