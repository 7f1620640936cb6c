import type { AcmeProblem } from '../../shared/acme/index.js';
import type { EngineFailure } from '../../engine/errors.js';
import type { Output } from '../output.js';

/** A lineage's failed issuance in certbot's words, with the CA's problem explained. */
export function printFailure(out: Output, failed: { readonly lineage: string; readonly error?: EngineFailure | undefined }): void {
  const error = failed.error;
  out.error(`Certificate for ${failed.lineage} failed${error ? `: ${error.name}` : ''}.`);
  if (error?.problem) out.problem(error.problem as AcmeProblem);
  else if (error) out.error(`  ${error.message}`);
}
