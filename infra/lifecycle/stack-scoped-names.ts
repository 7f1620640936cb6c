import { Aws, Fn, Stack, Token } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

// Secrets Manager allows letters, digits and /_+=.@- in names.
const NOT_IN_SECRET_NAME = /[^A-Za-z0-9_+=.@-]/g;

/**
 * The issuer's default secret prefix, `acmeflow/<stack name>/<issuer path in the stack>/<key>/`,
 * where `<key>` is the first group of the KMS key's id (8 hex digits).
 *
 * - The stack name (unique in its account and region) keeps two issuers (staging beside prod, or two
 *   in one stack) from ever reading or overwriting each other's run-time secrets.
 * - The key keeps a stack created again (after a rolled-back first deploy, or a destroy with RETAIN)
 *   with a new key from meeting the secrets the old key encrypted, which it could not decrypt; and a
 *   new stack given the old key (`encryptionKey`) computes the old prefix, so it carries on with the
 *   old account and certificate keys by itself.
 *
 * A key created by the stack makes the prefix a deploy-time token; a key given by ARN a plain string.
 *
 * @example
 * ```ts
 * defaultSecretPrefix(issuer, key); // 'acmeflow/Prod/Issuer/1234abcd/' once deployed
 * ```
 */
export function defaultSecretPrefix(scope: Construct, key: IKey): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.id : stack.stackName;
  const path = scope.node.scopes.slice(stack.node.scopes.length).map((c) => c.node.id.replace(NOT_IN_SECRET_NAME, '-'));
  // Key ids are UUIDs (RFC 9562 text form): the first group is enough to tell one stack's keys apart.
  const keyPart = Fn.select(0, Fn.split('-', key.keyId));
  return `acmeflow/${stackName.replace(NOT_IN_SECRET_NAME, '-')}/${path.join('/')}/${keyPart}/`;
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
