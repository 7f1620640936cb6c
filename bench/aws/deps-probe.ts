/**
 * What every function loaded on its first invocation before the per-step deps: `awsDepsFromEnv`,
 * which builds every adapter (S3, Secrets Manager, EventBridge, ACM, every DNS provider). Bundled
 * like a function and imported by a cold process (init-time.ts, `buildDeps`), for comparison with
 * the functions' own `loadAwsDeps` (functions/<step>/aws-deps.ts: their STEP_ACCESS adapters only).
 */
import 'reflect-metadata';
export { awsDepsFromEnv } from '../../functions/runtime/aws-deps.js';
