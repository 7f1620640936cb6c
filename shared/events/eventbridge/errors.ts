/**
 * Typed errors of the checks every publisher applies before delivering an event. Each `name` is a
 * literal (Step Functions matches on it, bundlers rename classes). They are thrown
 * before anything is sent: they mean the caller built a wrong event, not that delivery failed, so
 * none of them is an `EventPublishError` and retrying cannot help.
 *
 * None of the messages quotes a field's value, so a refused secret never reaches a log.
 */

/** One schema violation: the field's dotted path in the detail and zod's description of the problem. */
export interface EventIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * An event does not match its detail-type's schema in `EVENT_SCHEMAS`, or names no known detail-type.
 *
 * @example
 * ```ts
 * try { await publisher.publish(events); } catch (error) {
 *   if (error instanceof InvalidEventError) console.error(error.index, error.issues); // 0 [{ path: 'version', ... }]
 * }
 * ```
 */
export class InvalidEventError extends Error {
  readonly detailType: string;
  /** Position of the event in the array given to `publish`. */
  readonly index: number;
  readonly issues: readonly EventIssue[];

  constructor(detailType: string, index: number, issues: readonly EventIssue[], options: { cause?: unknown } = {}) {
    super(
      `event #${index} (${detailType}) does not match its schema: ${issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'InvalidEventError';
    this.detailType = detailType;
    this.index = index;
    this.issues = issues;
  }
}

/** What the secret guard recognised. */
export type SecretKind = 'private-key-pem' | 'private-jwk' | 'secret-field';

/**
 * An event carries what looks like key material: a PEM private key block, a private JWK, or a field
 * named like a secret (`hmacKey`, `secret`, `token`, `password`, ...). Events are broadcast to every
 * rule of the bus and copied to logs, so keys must never be in one; this is defence in depth behind
 * the schemas, which do not mention such fields.
 *
 * @example
 * ```ts
 * // error.path === 'problem.hmacKey', error.kind === 'secret-field'; the value is never in the message
 * ```
 */
export class EventContainsSecretError extends Error {
  readonly detailType: string;
  readonly index: number;
  /** Where in the detail, e.g. `error.message` or `problem.subproblems[0].token`. */
  readonly path: string;
  readonly kind: SecretKind;

  constructor(detailType: string, index: number, path: string, kind: SecretKind) {
    const what =
      kind === 'private-key-pem' ? 'contains a PEM private key block' : kind === 'private-jwk' ? 'is a private JWK' : 'is named like a secret';
    super(`refusing to publish event #${index} (${detailType}): ${path === '' ? 'the detail' : path} ${what}; events must never carry keys or secrets`);
    this.name = 'EventContainsSecretError';
    this.detailType = detailType;
    this.index = index;
    this.path = path;
    this.kind = kind;
  }
}

/** An event is larger than one PutEvents entry may be (256 KB, counted the way EventBridge counts it). */
export class EventTooLargeError extends Error {
  readonly detailType: string;
  readonly index: number;
  /** The entry's size in bytes, per EventBridge's rules (UTF-8 of Source, DetailType, Detail). */
  readonly size: number;
  readonly limit: number;

  constructor(detailType: string, index: number, size: number, limit: number) {
    super(
      `event #${index} (${detailType}) is ${size} bytes, over EventBridge's ${limit}-byte entry limit; ` +
        'shorten the free-text fields (a CA problem detail) or publish a reference to the data instead',
    );
    this.name = 'EventTooLargeError';
    this.detailType = detailType;
    this.index = index;
    this.size = size;
    this.limit = limit;
  }
}
