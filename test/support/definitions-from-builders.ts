import { placeholderFunctionArn, type AslDefinition, type AslDefinitions } from '../../engine/index.js';
import { issuanceDefinition, revocationDefinition, sweepDefinition } from '../../shared/workflow/machines/index.js';

/**
 * The three definitions straight from the `shared/workflow/machines` builders, with the placeholder
 * ARNs `npm run definitions` resolves CDK tokens to: what the committed ASL files must equal.
 */
export function definitionsFromBuilders(): AslDefinitions {
  return {
    issuance: issuanceDefinition(placeholderFunctionArn) as AslDefinition,
    sweep: sweepDefinition({
      resourceFor: placeholderFunctionArn,
      issuanceStateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:acmeflow-issuance',
      bucketName: 'acmeflow-certificates',
    }) as AslDefinition,
    revocation: revocationDefinition(placeholderFunctionArn) as AslDefinition,
  };
}
