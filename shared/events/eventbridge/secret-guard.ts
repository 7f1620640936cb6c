import { EventContainsSecretError, type SecretKind } from './errors.js';

/** What {@link findSecret} found, and where. */
export interface SecretFinding {
  /** Dotted path from the scanned value, `[i]` for array items (`problem.subproblems[0].token`); `''` for the value itself. */
  readonly path: string;
  readonly kind: SecretKind;
}

// Every PEM private key label: PRIVATE KEY (PKCS #8), RSA / EC / DSA / OPENSSH / ENCRYPTED PRIVATE KEY,
// and PGP's PRIVATE KEY BLOCK. Certificates (`BEGIN CERTIFICATE`) are public and pass.
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;

// Field names are compared lower-cased with separators removed, so `hmac_key`, `HmacKey` and
// `eab-hmac-key` all read `hmackey`. The list is about names no event field has a reason to use:
// `keyLocation` (where the key is) passes, `privateKey` (the key itself) does not.
const SECRET_FIELD_NAMES: readonly RegExp[] = [
  /secret/,
  /passw(?:or)?d|passphrase/,
  /token/,
  /hmac/,
  /privatekey|^privkey(?:pem)?$/,
  /apikey/,
  /credential/,
  /(?:account|signing|session)key$/,
  /^(?:authorization|cookie|setcookie)$/,
];

const normalizeFieldName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Whether a field called `name` would be refused by the guard.
 *
 * @example
 * ```ts
 * isSecretFieldName('eab_hmac_key'); // true
 * isSecretFieldName('keyLocation');  // false
 * ```
 */
export function isSecretFieldName(name: string): boolean {
  const normalized = normalizeFieldName(name);
  return SECRET_FIELD_NAMES.some((pattern) => pattern.test(normalized));
}

/** A private JWK (RFC 7517 §4, RFC 7518 §6): an asymmetric key with its private `d`, or a symmetric `oct` key with `k`. */
function isPrivateJwk(value: Record<string, unknown>): boolean {
  if (typeof value['kty'] !== 'string') return false;
  return value['d'] !== undefined || (value['kty'] === 'oct' && value['k'] !== undefined);
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/**
 * The first thing in `value` that looks like key material: a string holding a PEM private key
 * block, a private JWK, or a field whose name reads like a secret. Walks plain objects and arrays;
 * a cycle is walked once. Returns `undefined` when nothing was found.
 *
 * @example
 * ```ts
 * findSecret({ problem: { type: 'x', hmacKey: 'c2VjcmV0' } }); // { path: 'problem.hmacKey', kind: 'secret-field' }
 * findSecret({ keyLocation: 'acmeflow/cert/example.com' });   // undefined
 * ```
 */
export function findSecret(value: unknown, path = '', seen = new WeakSet<object>()): SecretFinding | undefined {
  if (typeof value === 'string') return PEM_PRIVATE_KEY.test(value) ? { path, kind: 'private-key-pem' } : undefined;
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findSecret(item, `${path}[${i}]`, seen);
      if (found) return found;
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  if (isPrivateJwk(record)) return { path, kind: 'private-jwk' };
  for (const [key, item] of Object.entries(record)) {
    // A secret-named field is refused even when empty or undefined: its presence is the bug.
    if (isSecretFieldName(key)) return { path: join(path, key), kind: 'secret-field' };
    const found = findSecret(item, join(path, key), seen);
    if (found) return found;
  }
  return undefined;
}

/**
 * Throws {@link EventContainsSecretError} when an event's detail carries key material (see
 * {@link findSecret}). Publishers call it on the detail as the caller built it, before the schema
 * drops unknown fields: a secret the schema would have stripped is still a bug worth stopping on.
 *
 * @example
 * ```ts
 * assertNoSecrets({ detailType: 'Certificate Issued', detail }, 0);
 * ```
 */
export function assertNoSecrets(event: { readonly detailType: string; readonly detail: unknown }, index = 0): void {
  const found = findSecret(event.detail);
  if (found) throw new EventContainsSecretError(event.detailType, index, found.path, found.kind);
}
