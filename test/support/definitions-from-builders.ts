import { readFileSync } from 'node:fs';
import { placeholderFunctionArn, type AslDefinition, type AslDefinitions } from '../../engine/index.js';
import { issuanceDefinition, revocationDefinition, sweepDefinition } from '../../shared/workflow/machines/index.js';

/**
 * The three definitions straight from the `shared/workflow/machines` builders, with the placeholder
 * ARNs `npm run definitions` resolves CDK tokens to: what the committed ASL files must equal.
 */
/**
 * The example config's `sweepConcurrency` (infra/config/example.json), which the committed sweep's
 * MaxConcurrency carries: the local engine runs that many issuances at once, not the construct's default.
 */
export const EXAMPLE_SWEEP_CONCURRENCY: number = (JSON.parse(readFileSync(new URL('../../infra/config/example.json', import.meta.url), 'utf8')) as { sweepConcurrency: number })
  .sweepConcurrency;

export function definitionsFromBuilders(): AslDefinitions {
  return {
    issuance: issuanceDefinition(placeholderFunctionArn) as AslDefinition,
    sweep: sweepDefinition({
      resourceFor: placeholderFunctionArn,
      issuanceStateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:acmeflow-issuance',
      bucketName: 'acmeflow-certificates',
      maxConcurrency: EXAMPLE_SWEEP_CONCURRENCY,
    }) as AslDefinition,
    revocation: revocationDefinition(placeholderFunctionArn) as AslDefinition,
  };
}
