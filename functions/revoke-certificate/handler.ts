import 'reflect-metadata';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { revokeCertificate } from '../../shared/workflow/revoke-certificate.js';
import { makeStepHandler, parseInput, type DepsSource, type StepHandler } from '../runtime/make-step-handler.js';
import { revokeCertificateEventSchema } from '../runtime/step-inputs.js';

/** RevokeCertificate (RFC 8555 §7.6). Input `{ lineage, reason?, certificatePem? }`; returns `{ lineage, serialHex, reason }`. */
export function makeHandler(deps: DepsSource): StepHandler {
  return makeStepHandler('RevokeCertificate', (event) => parseInput('RevokeCertificate', revokeCertificateEventSchema, event), revokeCertificate, deps);
}

/** What the first invocation does: load this step's AWS adapters (./aws-deps.ts, its STEP_ACCESS only) and build them. */
export const loadAwsDeps = (): Promise<WorkflowDeps> => import('./aws-deps.js').then(({ awsDeps }) => awsDeps());

/** Lambda's entry point; the deps are built once per container and reused. */
export const handler = makeHandler(loadAwsDeps);
