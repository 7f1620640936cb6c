/**
 * A small IAM policy evaluator for the wire-level fakes: whether identity-based Allow statements (as
 * a synthesized template holds them, tokens resolved) permit one request. It covers what acmeflow's
 * policies use: `Action` and `Resource` with `*` and `?` wildcards, and the condition operators
 * `StringEquals`, `StringLike`, `ForAllValues:StringEquals` and `Null` over the request's context
 * keys (`aws:ResourceTag/<key>`, `aws:RequestTag/<key>`, `aws:TagKeys`). As IAM does, a missing key
 * fails `StringEquals`/`StringLike`, and `ForAllValues` over a missing or empty key is true. An
 * operator it does not know denies, so a test can never pass by accident. Deny statements and
 * NotAction/NotResource are not modelled (acmeflow's role policies have none).
 */

/** One statement as it appears in a template (`Action`/`Resource` a string or a list). */
export interface IamStatement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** One request: its action, resource ARN and context keys (a multi-valued key is a list). */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

const list = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);
const glob = (pattern: string, value: string, ignoreCase: boolean): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    ignoreCase ? 'i' : '',
  ).test(value);

function conditionHolds(operator: string, key: string, expected: readonly string[], context: IamRequest['context']): boolean {
  const actual = context[key];
  switch (operator) {
    case 'StringEquals':
      return actual !== undefined && list(actual).some((a) => expected.includes(a));
    case 'StringLike':
      return actual !== undefined && list(actual).some((a) => expected.some((e) => glob(e, a, false)));
    case 'ForAllValues:StringEquals':
      return actual === undefined || list(actual).every((a) => expected.includes(a));
    case 'Null':
      return expected.every((e) => (e === 'true') === (actual === undefined));
    default:
      return false;
  }
}

/** Whether one statement allows the request. */
export function statementAllows(statement: IamStatement, request: IamRequest): boolean {
  if (statement.Effect !== 'Allow') return false;
  if (!list(statement.Action).some((a) => glob(a, request.action, true))) return false;
  if (!list(statement.Resource).some((r) => glob(r, request.resource, false))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, list(expected), request.context)),
  );
}

/**
 * Whether any statement allows the request.
 *
 * @example
 * ```ts
 * allows(statements, { action: 'acm:ImportCertificate', resource: arn, context: { 'aws:ResourceTag/acmeflow:issuer': 'eu-west-1/Issuer' } });
 * ```
 */
export function allows(statements: readonly IamStatement[], request: IamRequest): boolean {
  return statements.some((statement) => statementAllows(statement, request));
}
