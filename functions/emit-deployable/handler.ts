import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { emitDeployable } from '../../shared/workflow/emit-events.js';
import { announcementStepHandler } from '../runtime/announcement-step-handler.js';
import type { DepsSource, StepHandler } from '../runtime/make-step-handler.js';

/** EmitDeployable: "Certificate Deployable", after the deploy delay, unless the outbox has it. Takes the issuance state or an announce-only state, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return announcementStepHandler('EmitDeployable', emitDeployable, deps);
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
