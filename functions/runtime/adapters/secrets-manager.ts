import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseEabCredentials, type ExternalAccountBinding } from '../../../shared/acme/eab.js';
import { EabCredentialsError } from '../../../shared/acme/errors.js';
import { secretsManagerFailure } from '../../../shared/store/secrets-manager/errors.js';
import type { AdapterBuilder, AdapterContext } from './adapter.js';

/**
 * The Secrets Manager adapter `eab` (the CA's External Account Binding, read at run time, never kept in state). The DNS
 * credential secrets are read by `dns.ts` through the same client.
 */

/** The function's Secrets Manager client (one for keys, EAB and DNS credentials; `keys.ts` builds the key stores). */
export function secretsManagerClient(ctx: AdapterContext): SecretsManagerClient {
  return ctx.client('secretsManager', () => new SecretsManagerClient({ region: ctx.aws.region, ...ctx.clientConfig.secretsManager }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorName(error: unknown): string | undefined {
  return isObject(error) ? String(error['name']) : undefined;
}

export type SecretRead = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly problem: string; readonly cause?: unknown };

/**
 * A secret's SecretString parsed as a JSON object, or what is wrong with it. Values never reach a
 * message: a JSON.parse error quotes the text, so it is not kept as a cause either.
 *
 * @example
 * ```ts
 * const read = await readSecretJson(client, 'acmeflow/eab/zerossl');
 * if (!read.ok) throw new EabCredentialsError('secret', 'acmeflow/eab/zerossl', read.problem, { cause: read.cause });
 * ```
 */
export async function readSecretJson(client: SecretsManagerClient, ref: string): Promise<SecretRead> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: ref }))).SecretString;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return { ok: false, problem: 'does not exist (or has no current version)', cause: error };
    // Denied by IAM or by the secret's KMS key: the secret is there, and the fix is a grant, not a new secret.
    throw secretsManagerFailure(error, ref);
  }
  if (text === undefined) return { ok: false, problem: 'has no SecretString (binary secrets are not read)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'does not hold JSON' };
  }
  if (!isObject(parsed)) return { ok: false, problem: 'does not hold a JSON object' };
  return { ok: true, value: parsed };
}

/** `eab`: `resolveEab(ref)` reads `{ kid, hmacKey, algorithm? }` from the secret `ref` at each registration. */
export const secretsManagerEab: AdapterBuilder = {
  adapter: 'eab',
  build: (ctx) => {
    const client = secretsManagerClient(ctx);
    const resolveEab = async (ref: string): Promise<ExternalAccountBinding> => {
      const read = await readSecretJson(client, ref);
      if (!read.ok) throw new EabCredentialsError('secret', ref, read.problem, { cause: read.cause });
      return parseEabCredentials(read.value, { source: 'secret', ref });
    };
    return { resolveEab };
  },
};
