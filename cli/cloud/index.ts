/**
 * Cloud mode of the `acmeflow` command: `--stack NAME [--region R] [--wait]` works on the deployed
 * stack (its bucket and state machines) instead of this machine. Only re-exports.
 */
export { awsCloudClients, type CloudClients, type CloudClientsFactory } from './cloud-clients.js';
export type { CloudCommandContext } from './cloud-context.js';
export { cloudDnsFromFlags, DNS_SECRET_SHAPES } from './cloud-dns.js';
export {
  CLOUD_HELP,
  CLOUD_OPTIONS,
  CLOUD_SECRET_OPTIONS,
  cloudTargetFromFlags,
  EAB_SECRET_FIX,
  LOCAL_ONLY_FIXES,
  refuseLocalFlags,
  secretRefFromFlag,
  type CloudTarget,
} from './cloud-flags.js';
export { issueInCloud } from './cloud-issue.js';
export { renewInCloud } from './cloud-renew.js';
export { revokeInCloud } from './cloud-revoke.js';
export { openCloudSession, type CloudSession } from './cloud-session.js';
export { CloudAccessError, isAwsSdkError, RegionMissingError, StackNotFoundError, StackOutputMissingError } from './errors.js';
export { executionFailure, failureFromHistory } from './execution-failure.js';
export { executionName } from './execution-name.js';
export { allLineageNames } from './lineage-names.js';
export { mapLimit } from './map-limit.js';
export { clientRegion, resolveStack, type DeployedStack } from './resolve-stack.js';
export * from './stack-outputs.js';
export { startExecution, type StartedExecution } from './start-execution.js';
export { pollDelays, waitForExecution, type PollOptions } from './wait-for-execution.js';
