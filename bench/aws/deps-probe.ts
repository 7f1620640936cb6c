/**
 * What a function does on its first invocation (functions/shared/aws-deps-lazy.ts): load the module
 * that builds the AWS adapters and call `awsDepsFromEnv(process.env)` (clients only, no call).
 * Bundled like a function, imported by a cold process (init-time.ts, `buildDeps`).
 */
import 'reflect-metadata';
export { awsDepsFromEnv } from '../../functions/shared/aws-deps.js';
