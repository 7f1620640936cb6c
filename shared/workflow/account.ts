import {
  AcmeAccountDoesNotExistError,
  exportAccountKeyPem,
  findAccount,
  generateAccountKey,
  importAccountKey,
  newAccount,
  type Account,
  type AccountKeyType,
  type AcmeContext,
} from '../acme/index.js';
import { KeyNotFoundError } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';

/**
 * The key store's id for the account at a CA: the directory URL as a readable slug
 * (`acme-v02.api.letsencrypt.org-directory`). One account per CA, as certbot keeps by default.
 */
export function accountIdFor(directoryUrl: string): string {
  const u = new URL(directoryUrl);
  return `${u.host}${u.pathname}`.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
}

export interface EnsureAccountOptions {
  readonly directoryUrl: string;
  readonly contact?: readonly string[];
  readonly eabRef?: string;
  readonly accountKeyType?: AccountKeyType;
  /** The person agreed to the CA's terms (the CLI's --agree-tos; a deployed config's explicit flag). */
  readonly termsOfServiceAgreed?: boolean;
}

/**
 * Loads the account for a CA, registering it first when there is none (RFC 8555 §7.3), with EAB
 * when the lineage names credentials. Idempotent: the key is stored before registering, so a crash
 * between the two is repaired by `onlyReturnExisting`/newAccount with the same key next time.
 */
export async function ensureAccount(ctx: AcmeContext, deps: Pick<WorkflowDeps, 'keys' | 'resolveEab' | 'log'>, options: EnsureAccountOptions): Promise<Account & { id: string }> {
  const id = accountIdFor(options.directoryUrl);
  const stored = await deps.keys.getAccountKey(id);
  if (stored?.accountUrl) return { id, url: stored.accountUrl, key: importAccountKey(stored.privateKeyPem) };
  const key = stored ? importAccountKey(stored.privateKeyPem) : await generateAccountKey(options.accountKeyType ?? 'ecdsa-p256');
  if (!stored) await deps.keys.putAccountKey(id, { privateKeyPem: exportAccountKeyPem(key), directoryUrl: options.directoryUrl });
  let url: string;
  try {
    url = (await findAccount(ctx, key)).url;
  } catch (err) {
    if (!(err instanceof AcmeAccountDoesNotExistError)) throw err;
    const eab = options.eabRef ? await deps.resolveEab(options.eabRef) : undefined;
    const created = await newAccount(ctx, key, {
      ...(options.contact && options.contact.length > 0 ? { contact: options.contact } : {}),
      termsOfServiceAgreed: options.termsOfServiceAgreed ?? false,
      ...(eab ? { externalAccountBinding: eab } : {}),
    });
    url = created.url;
    deps.log.info('Account registered.', { directoryUrl: options.directoryUrl, accountUrl: url });
  }
  await deps.keys.putAccountKey(id, { privateKeyPem: exportAccountKeyPem(key), directoryUrl: options.directoryUrl, accountUrl: url });
  return { id, url, key };
}

/** The stored account for an issuance in progress (its key must exist: prepareOrder stored it). */
export async function loadAccount(deps: Pick<WorkflowDeps, 'keys'>, accountId: string, accountUrl: string): Promise<Account> {
  const stored = await deps.keys.getAccountKey(accountId);
  if (!stored) {
    throw new KeyNotFoundError(`The account key "${accountId}"`);
  }
  return { url: accountUrl, key: importAccountKey(stored.privateKeyPem) };
}
