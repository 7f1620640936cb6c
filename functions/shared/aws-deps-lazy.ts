import type { WorkflowDeps } from '../../shared/workflow/index.js';

/**
 * `awsDepsFromEnv(process.env)`, for `export const handler = makeHandler(awsDeps)`: the module that
 * builds the AWS adapters is loaded on the first invocation, so importing a handler (the local
 * engine does, for `makeHandler`) loads no AWS SDK and builds nothing. esbuild bundles the dynamic
 * import into the function's single file.
 */
export async function awsDeps(): Promise<WorkflowDeps> {
  const { awsDepsFromEnv } = await import('./aws-deps.js');
  return awsDepsFromEnv();
}
