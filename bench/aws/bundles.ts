/**
 * The Lambda bundles as the construct builds them (`infra/lambda/acmeflow-function.ts`): esbuild,
 * minified ESM for node22, the createRequire banner, main fields `module,main`, keep-names, and the
 * AWS SDK inside the bundle (`bundleAwsSDK: true`, so no externals). The construct's default
 * (`bundling: 'shared'`) is ONE bundle of `infra/lambda/bundle-entry.ts` for every function; the
 * per-function bundles (`bundling: 'per-function'`, entry `functions/<folder>/handler.ts`) show
 * what each step really needs.
 *
 * Variants (measured here, never applied to infra/): the SDK left to the runtime (`@aws-sdk/*` and
 * `@smithy/*` external), and zod imported as a namespace (`import * as z from 'zod'`) instead of
 * `import { z } from 'zod'`, which lets esbuild drop the ~40 zod locales (applied by a load plugin
 * that rewrites that one import line in our own files, exactly the source change it models).
 */
import { readFile, symlink, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { LAMBDA_STEPS } from '../../infra/state-machines/lambda-resources.js';
import { EXTRA_HANDLERS } from '../../infra/lambda/handler-names.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
export const SHARED_ENTRY = 'infra/lambda/bundle-entry.ts';

/** The `bundling` block of AcmeflowFunction, as esbuild options (aws-cdk-lib's buildEsbuildArgs, local bundling). */
export const CONSTRUCT_ESBUILD: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  keepNames: true,
  logLevel: 'error',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
};

/**
 * Checks that the construct still bundles the way {@link CONSTRUCT_ESBUILD} says, so the figures
 * never silently describe another configuration. Returns the mismatches (empty when in step).
 */
export async function constructDrift(): Promise<string[]> {
  const source = await readFile(path.join(PROJECT_ROOT, 'infra/lambda/acmeflow-function.ts'), 'utf8');
  const expected = [
    'minify: true',
    'keepNames: true',
    'format: OutputFormat.ESM',
    "target: 'node22'",
    `banner: "${CONSTRUCT_ESBUILD.banner!.js}"`,
    "mainFields: ['module', 'main']",
    'bundleAwsSDK: true',
    'runtime: FUNCTION_RUNTIME',
    'architecture: Architecture.ARM_64',
  ];
  const drift = expected.filter((text) => !source.includes(text)).map((text) => `acmeflow-function.ts no longer says ${text}`);
  for (const unexpected of ['externalModules', 'esbuildArgs', 'sourceMap: true', 'define:', 'tsconfig:']) {
    if (source.includes(unexpected)) drift.push(`acmeflow-function.ts now sets ${unexpected} (not modelled here)`);
  }
  return drift;
}

export interface BundleTarget {
  /** `shared`, or the function folder. */
  readonly name: string;
  /** Project-relative entry. */
  readonly entry: string;
  /** The export Lambda calls (`handler`, or `index.<export>` of the shared bundle). */
  readonly kind: 'shared' | 'step' | 'extra';
}

/** The shared bundle, every step's own bundle, and the extra functions (sync-lineages, the ACM hook). */
export function bundleTargets(): BundleTarget[] {
  return [
    { name: 'shared (all functions)', entry: SHARED_ENTRY, kind: 'shared' },
    ...Object.values(LAMBDA_STEPS).map((folder) => ({ name: folder, entry: `functions/${folder}/handler.ts`, kind: 'step' as const })),
    ...Object.entries(EXTRA_HANDLERS).map(([, file]) => ({ name: path.basename(path.dirname(file)), entry: file, kind: 'extra' as const })),
  ];
}

export type Variant = 'construct' | 'sdk-external' | 'zod-namespace' | 'both';

export const VARIANT_LABEL: Record<Variant, string> = {
  construct: 'as the construct bundles',
  'sdk-external': '@aws-sdk/* + @smithy/* external (runtime SDK)',
  'zod-namespace': "zod as `import * as z from 'zod'`",
  both: 'both changes',
};

/** Rewrites `import { z } from 'zod'` to `import * as z from 'zod'` in project files (models the source change). */
const zodNamespacePlugin: esbuild.Plugin = {
  name: 'zod-namespace-import',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!/import \{ z \} from 'zod';/.test(text)) return undefined;
      return { contents: text.replace(/import \{ z \} from 'zod';/g, "import * as z from 'zod';"), loader: 'ts' };
    });
  },
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
 * Why a package is in a bundle: the shortest chain of static imports from the entry to the first
 * input whose path contains `match` (dynamic imports are not followed: those load on first call).
 */
export function importChain(bundle: BuiltBundle, match: string): string[] | undefined {
  const inputs = bundle.metafile.inputs;
  const entry = Object.keys(inputs).find((k) => k === bundle.target.entry);
  if (!entry) return undefined;
  const previous = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const key = queue.shift()!;
    if (key.includes(match)) {
      const chain: string[] = [];
      for (let k: string | null | undefined = key; k; k = previous.get(k)) chain.unshift(k.replace(/^node_modules\//, ''));
      return chain;
    }
    for (const imported of inputs[key]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' || previous.has(imported.path)) continue;
      previous.set(imported.path, key);
      queue.push(imported.path);
    }
  }
  return undefined;
}

function groupOf(input: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(input);
  if (nm) {
    // zod's locales are their own line: they are what the namespace import removes.
    if (nm[1] === 'zod' && nm[2]?.includes('/locales/')) return 'zod (locales)';
    return nm[1]!;
  }
  const parts = input.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : input;
}

/**
 * Bundles `target` with the construct's options (plus the variant's change) into `outDir` and reads
 * the metafile. Output: `<outDir>/<variant>/<name>/index.mjs` (Lambda's file name for ESM).
 */
export async function buildBundle(target: BundleTarget, variant: Variant, outDir: string): Promise<BuiltBundle> {
  const dir = path.join(outDir, variant, target.name.replace(/[^a-z0-9-]+/gi, '_'));
  const file = path.join(dir, 'index.mjs');
  const sdkExternal = variant === 'sdk-external' || variant === 'both';
  const zodNamespace = variant === 'zod-namespace' || variant === 'both';
  const started = performance.now();
  const result = await esbuild.build({
    ...CONSTRUCT_ESBUILD,
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.join(PROJECT_ROOT, target.entry)],
    outfile: file,
    metafile: true,
    ...(sdkExternal ? { external: ['@aws-sdk/*', '@smithy/*'] } : {}),
    ...(zodNamespace ? { plugins: [zodNamespacePlugin] } : {}),
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
    // The runtime's SDK lives outside the bundle; locally it resolves through the project's node_modules.
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
