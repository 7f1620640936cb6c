import issuance from '../shared/workflow/machines/asl/issuance.asl.json' with { type: 'json' };
import revocation from '../shared/workflow/machines/asl/revocation.asl.json' with { type: 'json' };
import sweep from '../shared/workflow/machines/asl/sweep.asl.json' with { type: 'json' };
import { LAMBDA_STEPS, type LambdaStep } from '../shared/workflow/machines/index.js';

/**
 * The three state machine definitions the local engine runs: the **same** Amazon States Language
 * documents Step Functions runs in AWS, with every CloudFormation token resolved to a placeholder
 * (the local engine never calls what a `Resource` names: each Task is bound to a local handler).
 */

/** An Amazon States Language document (JSONPath), as plain JSON. */
export type AslDefinition = Record<string, unknown> & { readonly StartAt: string; readonly States: Record<string, AslState> };
/** One state of a definition. */
export type AslState = Record<string, unknown> & { readonly Type: string };

export interface AslDefinitions {
  readonly issuance: AslDefinition;
  readonly sweep: AslDefinition;
  readonly revocation: AslDefinition;
}

/** The account and region of the placeholder ARNs (as `infra/state-machines/render-definitions.ts` resolves CDK tokens). */
export const PLACEHOLDER_ARN_PREFIX = 'arn:aws:lambda:us-east-1:000000000000:function:acmeflow-';

/** The placeholder ARN of a step's function: `arn:aws:lambda:us-east-1:000000000000:function:acmeflow-<folder>`. */
export function placeholderFunctionArn(step: LambdaStep): string {
  return `${PLACEHOLDER_ARN_PREFIX}${LAMBDA_STEPS[step]}`;
}

/**
 * The definitions the engine runs: the committed `shared/workflow/machines/asl/*.asl.json` — what the
 * CDK app synthesizes (`npm run definitions`), tokens resolved to placeholders. They are imported as
 * modules, so the command's bundle carries them and finds no file at run time.
 *
 * Each call returns fresh objects: callers may change them (the sweep's Map is substituted).
 */
export async function loadDefinitions(): Promise<AslDefinitions> {
  return structuredClone({ issuance, sweep, revocation }) as unknown as AslDefinitions;
}
