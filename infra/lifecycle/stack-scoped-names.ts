import { Aws, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

// Secrets Manager allows letters, digits and /_+=.@- in names.
const NOT_IN_SECRET_NAME = /[^A-Za-z0-9_+=.@-]/g;

/**
 * The issuer's default secret prefix, `acmeflow/<stack name>/<issuer path in the stack>/`: scoped to
 * the stack, so two issuers in one account and region (staging beside prod, or two in one stack)
 * never read or overwrite each other's run-time secrets. A stack name is unique in its account and
 * region, so the prefix is too; a stack deleted and deployed again under the same name gets the same
 * prefix, which is what lets a new stack given the old bucket and key carry on.
 *
 * @example
 * ```ts
 * defaultSecretPrefix(issuer); // 'acmeflow/Prod/Issuer/'
 * ```
 */
export function defaultSecretPrefix(scope: Construct): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.id : stack.stackName;
  const path = scope.node.scopes.slice(stack.node.scopes.length).map((c) => c.node.id.replace(NOT_IN_SECRET_NAME, '-'));
  return `acmeflow/${stackName.replace(NOT_IN_SECRET_NAME, '-')}/${path.join('/')}/`;
}

/**
 * The last part of the stack's id (a UUID), a token: different for every creation of the stack, so a
 * name that ends with it never meets a retained resource of an earlier creation (a rolled-back first
 * deploy, or a stack deleted and deployed again) whose name would otherwise be "already exists".
 *
 * @example
 * ```ts
 * new LogGroup(this, 'Logs', { logGroupName: `/aws/vendedlogs/states/issuance-${stackCreationId()}` });
 * ```
 */
export function stackCreationId(): string {
  // arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>
  return Fn.select(2, Fn.split('/', Aws.STACK_ID));
}
