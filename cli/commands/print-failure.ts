import type { AcmeProblem } from '../../shared/acme/index.js';
import type { EngineFailure } from '../../engine/errors.js';
import type { Output } from '../output.js';

/** A lineage's failed issuance in certbot's words, with the CA's problem explained. */
export function printIssuanceFailure(out: Output, failed: { readonly lineage: string; readonly error?: EngineFailure | undefined }, context: readonly string[] = []): void {
  const error = failed.error;
  out.error(`Certificate for ${failed.lineage} failed${error ? `: ${error.name}` : ''}.`);
  if (error) printFailure(out, error, context);
  else {
    for (const line of context) out.error(line);
    out.explained('IssuanceFailed');
  }
}

/**
 * What failed, then `context` (the caller's other lines about the run), ending as every failure does
 * with the explanation and the `acmeflow explain` line.
 */
export function printFailure(out: Output, error: Pick<EngineFailure, 'name' | 'message' | 'problem'>, context: readonly string[] = []): void {
  if (error.problem) out.problem(error.problem as AcmeProblem, undefined, { context });
  else {
    out.error(`  ${error.message}`);
    for (const line of context) out.error(line);
    out.explained(error.name);
  }
}
