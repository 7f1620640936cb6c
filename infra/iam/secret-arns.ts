import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The ARN to grant for a secret the operator created, given by name or by full ARN. A name becomes
 * `secret:<name>-??????`: Secrets Manager appends six random characters to every secret's ARN, and
 * `?` matches exactly one character, so no other secret whose name merely starts the same matches.
 *
 * @example
 * ```ts
 * secretArnOf(stack, 'acmeflow-eab/jprs'); // arn:${Partition}:secretsmanager:${Region}:${Account}:secret:acmeflow-eab/jprs-??????
 * ```
 */
export function secretArnOf(scope: IConstruct, ref: string): string {
  if (ref.startsWith('arn:')) return ref;
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${ref}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * The ARN pattern of every secret under a name prefix (`<prefix>*`): the issuer creates one secret
 * per lineage and per ACME account at run time, so their names are not known at synth time.
 *
 * @example
 * ```ts
 * secretsUnderPrefix(stack, 'acmeflow/cert/'); // arn:…:secret:acmeflow/cert/*
 * ```
 */
export function secretsUnderPrefix(scope: IConstruct, prefix: string): string {
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
