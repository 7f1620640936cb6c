import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { emitIssued } from '../../shared/workflow/emit-events.js';
import { announcementStepHandler } from '../runtime/announcement-step-handler.js';
import type { DepsSource, StepHandler } from '../runtime/make-step-handler.js';

/** EmitIssued: "Certificate Issued" unless the outbox has it; sets \`deployDelaySeconds\` (what is left of the delay). Takes the issuance state or an announce-only input, returns it updated (extra fields kept). */
export function makeHandler(deps: DepsSource): StepHandler {
  return announcementStepHandler('EmitIssued', emitIssued, deps);
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
