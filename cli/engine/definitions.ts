import { readFile } from 'node:fs/promises';
import {
  issuanceDefinition,
  LAMBDA_STEPS,
  revocationDefinition,
  sweepDefinition,
  type LambdaStep,
} from '../../infra/state-machines/index.js';

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

/** The account and region of the placeholder ARNs (as `infra/definitions.ts` resolves CDK tokens). */
export const PLACEHOLDER_ARN_PREFIX = 'arn:aws:lambda:us-east-1:000000000000:function:acmeflow-';

/** The placeholder ARN of a step's function: `arn:aws:lambda:us-east-1:000000000000:function:acmeflow-<folder>`. */
export function placeholderFunctionArn(step: LambdaStep): string {
  return `${PLACEHOLDER_ARN_PREFIX}${LAMBDA_STEPS[step]}`;
}

/**
 * The definitions the engine runs: the committed `infra/definitions/*.asl.json` — what the CDK app
 * synthesizes (`npm run definitions`), tokens resolved to placeholders. `definitionsFromBuilders()`
 * gives the same documents straight from the `infra/state-machines` builders (the one line below
 * switches between the two).
 *
 * Each call returns fresh objects: callers may change them (the sweep's Map is substituted).
 */
export async function loadDefinitions(): Promise<AslDefinitions> {
  return definitionsFromCommittedJson();
}

/** The definitions from the `infra/state-machines` builders, with placeholder ARNs for every Lambda. */
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

/** Where the committed, synthesized definitions are. */
export const COMMITTED_DEFINITIONS_DIR = new URL('../../infra/definitions/', import.meta.url);

/** The committed definitions (`infra/definitions/{issuance,sweep,revocation}.asl.json`). */
export async function definitionsFromCommittedJson(dir: URL = COMMITTED_DEFINITIONS_DIR): Promise<AslDefinitions> {
  const read = async (name: string) => JSON.parse(await readFile(new URL(`${name}.asl.json`, dir), 'utf8')) as AslDefinition;
  const [issuance, sweep, revocation] = await Promise.all([read('issuance'), read('sweep'), read('revocation')]);
  return { issuance, sweep, revocation };
}
