import 'reflect-metadata';
import path from 'node:path';
import { App, type CfnResource, type Stack } from 'aws-cdk-lib';
import type { AcmeIssuer } from '../acme-issuer.js';
import type { AcmeIssuerProps } from '../acme-issuer-props.js';
import { AcmeflowStack } from '../acmeflow-stack.js';
import { DEFAULT_CONFIG_FILE, loadIssuerConfig } from '../config/issuer-config.js';
import { PROJECT_ROOT } from '../lambda/acmeflow-function.js';
import { LAMBDA_STEPS, type HandlerFolder, type LambdaStep } from '../../shared/workflow/machines/index.js';

/** The state machines whose definitions are rendered. */
export const DEFINITION_NAMES = ['issuance', 'sweep', 'revocation'] as const;
export type DefinitionName = (typeof DEFINITION_NAMES)[number];

/** The three DefinitionStrings, tokens resolved (JSON text, as CloudFormation passes it to Step Functions). */
export type RenderedDefinitions = Readonly<Record<DefinitionName, string>>;

/** What the CloudFormation references in the definitions resolve to: fixed, account-free placeholders. */
export const DEFINITION_PLACEHOLDERS = {
  partition: 'aws',
  region: 'us-east-1',
  account: '000000000000',
  urlSuffix: 'amazonaws.com',
  /** `arn:aws:lambda:us-east-1:000000000000:function:acmeflow-<folder>`: the local engine binds Tasks by state name anyway. */
  lambdaArn: (folder: HandlerFolder | string): string => `arn:aws:lambda:us-east-1:000000000000:function:acmeflow-${folder}`,
  issuanceStateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:acmeflow-issuance',
  bucketName: 'acmeflow-certificates',
} as const;

/** Where `npm run definitions` writes them (`shared/workflow/machines/asl/<name>.asl.json`). */
export function definitionFile(name: DefinitionName): string {
  return path.join(PROJECT_ROOT, 'shared/workflow/machines/asl', `${name}.asl.json`);
}

/** A reference in a DefinitionString this renderer does not know: a new token in a definition needs a placeholder here. */
export class UnresolvedDefinitionTokenError extends Error {
  constructor(what: string) {
    super(`The state machine definition references ${what}, which has no placeholder in infra/state-machines/render-definitions.ts.`);
    this.name = 'UnresolvedDefinitionTokenError';
  }
}

type Intrinsic = string | number | boolean | null | Intrinsic[] | { [key: string]: Intrinsic };

/** Evaluates the intrinsic functions CDK writes into a DefinitionString (`Fn::Join`, `Ref`, `Fn::GetAtt`). */
function evaluate(value: Intrinsic, ref: (logicalId: string) => string, getAtt: (logicalId: string, attribute: string) => string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [fn, args] = Object.entries(value)[0] ?? [];
    if (fn === 'Fn::Join' && Array.isArray(args)) {
      const [separator, parts] = args as [string, Intrinsic[]];
      return parts.map((part) => evaluate(part, ref, getAtt)).join(separator);
    }
    if (fn === 'Ref' && typeof args === 'string') return ref(args);
    if (fn === 'Fn::GetAtt' && Array.isArray(args)) return getAtt(String(args[0]), String(args[1]));
    throw new UnresolvedDefinitionTokenError(JSON.stringify(value));
  }
  throw new UnresolvedDefinitionTokenError(JSON.stringify(value));
}

/**
 * Resolves the three state machines' DefinitionStrings of a synthesized issuer: function ARNs become
 * `arn:aws:lambda:us-east-1:000000000000:function:acmeflow-<folder>`, the issuance machine and the
 * bucket become {@link DEFINITION_PLACEHOLDERS}; anything else is an error.
 */
export function resolveDefinitions(stack: Stack, issuer: AcmeIssuer, template: { Resources: Record<string, { Properties?: Record<string, unknown> }> }): RenderedDefinitions {
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
  const functionFolder = new Map<string, string>();
  for (const [step, fn] of Object.entries(issuer.functions) as [LambdaStep, AcmeIssuer['functions'][LambdaStep]][]) {
    functionFolder.set(logicalId(fn), LAMBDA_STEPS[step]);
  }
  const refs = new Map<string, string>([
    ['AWS::Partition', DEFINITION_PLACEHOLDERS.partition],
    ['AWS::Region', DEFINITION_PLACEHOLDERS.region],
    ['AWS::AccountId', DEFINITION_PLACEHOLDERS.account],
    ['AWS::URLSuffix', DEFINITION_PLACEHOLDERS.urlSuffix],
    [logicalId(issuer.issuanceStateMachine), DEFINITION_PLACEHOLDERS.issuanceStateMachineArn],
    [logicalId(issuer.bucket), DEFINITION_PLACEHOLDERS.bucketName],
  ]);
  const ref = (id: string) => {
    const value = refs.get(id);
    if (value === undefined) throw new UnresolvedDefinitionTokenError(`Ref ${id}`);
    return value;
  };
  const getAtt = (id: string, attribute: string) => {
    const folder = functionFolder.get(id);
    if (folder !== undefined && attribute === 'Arn') return DEFINITION_PLACEHOLDERS.lambdaArn(folder);
    if (id === logicalId(issuer.issuanceStateMachine) && attribute === 'Arn') return DEFINITION_PLACEHOLDERS.issuanceStateMachineArn;
    throw new UnresolvedDefinitionTokenError(`Fn::GetAtt ${id}.${attribute}`);
  };
  const render = (machine: AcmeIssuer['issuanceStateMachine']) => {
    const resource = template.Resources[logicalId(machine)];
    const definition = resource?.Properties?.DefinitionString as Intrinsic | undefined;
    if (definition === undefined) throw new UnresolvedDefinitionTokenError(`a state machine without DefinitionString (${machine.node.path})`);
    const text = evaluate(definition, ref, getAtt);
    JSON.parse(text); // a definition that is not JSON after resolution fails here, not in the engine
    return text;
  };
  return {
    issuance: render(issuer.issuanceStateMachine),
    sweep: render(issuer.sweepStateMachine),
    revocation: render(issuer.revocationStateMachine),
  };
}

/**
 * Synthesizes the example stack (bundling and template validation skipped: only the definitions
 * are wanted) and returns its three DefinitionStrings with every CloudFormation token resolved to a
 * placeholder, ready for aws-local-stepfunctions. The local engine and the e2e tests use it, and
 * `infra/state-machines/write-definitions.ts` writes it to `shared/workflow/machines/asl/*.asl.json`.
 *
 * @example
 * ```ts
 * const { issuance } = renderDefinitions();
 * new StateMachine(JSON.parse(issuance), { ... });
 * ```
 */
export function renderDefinitions(options: { props?: AcmeIssuerProps } = {}): RenderedDefinitions {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false, treeMetadata: false });
  const props = options.props ?? loadIssuerConfig(path.join(PROJECT_ROOT, DEFAULT_CONFIG_FILE)).props;
  const stack = new AcmeflowStack(app, 'AcmeflowDefinitions', { issuer: props });
  const template = app.synth().getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Properties?: Record<string, unknown> }> };
  return resolveDefinitions(stack, stack.issuer, template);
}

/** A definition as the committed file holds it: pretty JSON with a final newline. */
export function formatDefinition(text: string): string {
  return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
}
