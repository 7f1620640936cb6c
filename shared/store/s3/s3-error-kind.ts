/**
 * Which S3 answer an SDK error is. The SDK names errors after the `<Code>` of S3's XML error body,
 * and some answers (HEAD, 412 on a conditional write) have no modelled exception class, so the
 * checks read `name` and the HTTP status.
 */

interface SdkErrorShape {
  readonly name?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/**
 * 412 Precondition Failed: an `If-None-Match: *` write found the key taken, or an `If-Match` write or
 * delete found another ETag.
 */
export function isPreconditionFailed(error: unknown): boolean {
  const { name, $metadata } = shape(error);
  return name === 'PreconditionFailed' || $metadata?.httpStatusCode === 412;
}

/**
 * 409 Conflict on a conditional request: it raced another write or delete of the same key that S3
 * had not settled yet (`ConditionalRequestConflict`; older answers say `OperationAborted`). S3 asks
 * the client to retry.
 */
export function isConditionalConflict(error: unknown): boolean {
  const { name } = shape(error);
  return name === 'ConditionalRequestConflict' || name === 'OperationAborted';
}

/**
 * The key does not exist (GET's `NoSuchKey`, HEAD's bare 404 `NotFound`). A missing bucket is not
 * this: `NoSuchBucket` is a configuration error and must surface.
 */
export function isNoSuchKey(error: unknown): boolean {
  const { name, $metadata } = shape(error);
  return name === 'NoSuchKey' || (name === 'NotFound' && $metadata?.httpStatusCode === 404);
}
