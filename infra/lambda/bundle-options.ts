import type { BuildOptions } from 'esbuild';

/**
 * How every acmeflow function is bundled: the one description that `AcmeflowFunction` turns into
 * `NodejsFunction` bundling props, and the benchmarks (bench/aws/bundles.ts) and the bundle test
 * (test/infra/bundle-entry.test.ts) into esbuild API options, so the measured bundles are the
 * deployed ones.
 */

/**
 * esbuild aliases. `@smithy/credential-provider-imds` (EC2/ECS instance credentials, never used on
 * Lambda, where the credentials come from the environment) is taken from its CommonJS build: its
 * ESM build's `import … from "node:http"` is hoisted to the top of the single-file ESM bundle, and
 * an ESM import of `node:http` costs about 70 ms of CPU at every cold start on Node 22 (the module
 * facade reads every export, among them the lazy `http.WebSocket`, which loads undici:
 * nodejs/node#59686). As CommonJS it is `require`d only if that provider is ever called.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@smithy/credential-provider-imds': '@smithy/credential-provider-imds/dist-cjs/index.js',
};

/** The bundling settings of every function (ESM for nodejs22.x, minified, the SDK inside). */
export const LAMBDA_BUNDLE = {
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  // Error names are literals (ARCHITECTURE.md, "Error model"), but libraries may read constructor names.
  keepNames: true,
  // ESM output: the bundled CommonJS code (and the aliased packages) `require`s through this.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  mainFields: ['module', 'main'],
  aliases: BUNDLE_ALIASES,
} as const;

/**
 * {@link LAMBDA_BUNDLE} as esbuild API options (what aws-cdk-lib's local bundling passes to the
 * esbuild CLI, with `bundleAwsSDK: true`: nothing external).
 *
 * @example
 * ```ts
 * await esbuild.build({ ...lambdaEsbuildOptions(), entryPoints: ['functions/emit-issued/handler.ts'], outfile: 'out/index.mjs' });
 * ```
 */
export function lambdaEsbuildOptions(): BuildOptions {
  return {
    bundle: true,
    platform: LAMBDA_BUNDLE.platform,
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    minify: LAMBDA_BUNDLE.minify,
    keepNames: LAMBDA_BUNDLE.keepNames,
    banner: { js: LAMBDA_BUNDLE.banner },
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    alias: { ...LAMBDA_BUNDLE.aliases },
    logLevel: 'error',
  };
}
