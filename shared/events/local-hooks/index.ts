export { DeployDelayQueue, type DeployDelayQueueDeps } from './deploy-delay-queue.js';
export { deployableEvent } from './deployable-event.js';
export { describeHookFailure, HookFailedError, type HookFailure, type HookName } from './hook-failed-error.js';
export { LocalHooksPublisher, type LocalHooksPublisherDeps, type LocalHooksPublisherOptions } from './local-hooks-publisher.js';
export { runHook, type HookLogger, type RunHookOptions, type SpawnFunction } from './run-hook.js';
export { PendingDeploys, type PendingDeploy, type PendingDeploysOptions } from './pending-deploys.js';
