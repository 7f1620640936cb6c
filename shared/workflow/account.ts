import { findAccount, newAccount, type Account } from '../acme/account.js';
import type { AcmeContext } from '../acme/context.js';
import { AcmeAccountDoesNotExistError } from '../acme/errors.js';
import { exportAccountKeyPem, generateAccountKey, importAccountKey, type AccountKeyType } from '../acme/jws.js';
import {
  CertbotAccountNotFoundError,
  certbotAccountKeyId,
  KeyNotFoundError,
  LineageLockedError,
  type LineageLock,
  type LockHandle,
  type StoredAccountKey,
} from '../store/index.js';
import type { WorkflowDeps } from './deps.js';

/**
 * The key store's id for the account at a CA: the directory URL as a readable slug
 * (`acme-v02.api.letsencrypt.org-directory`). One account per CA, as certbot keeps by default; a
 * lineage that names one of certbot's accounts (`certbotAccount`) gets that account's own id
 * ({@link certbotAccountKeyId}).
 */
export function accountIdFor(directoryUrl: string, certbotAccount?: string): string {
  const u = new URL(directoryUrl);
  const caId = `${u.host}${u.pathname}`.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
  return certbotAccount === undefined ? caId : certbotAccountKeyId(caId, certbotAccount);
}

export interface EnsureAccountOptions {
  readonly directoryUrl: string;
  readonly contact?: readonly string[];
  readonly eabRef?: string;
  readonly accountKeyType?: AccountKeyType;
  /**
   * certbot's account the lineage names (its renewal conf's `account`): used as it is, never
   * registered; `CertbotAccountNotFoundError` when the key store does not have it.
   */
  readonly certbotAccount?: string;
  /** The person agreed to the CA's terms (the CLI's --agree-tos; a deployed config's explicit flag). */
  readonly termsOfServiceAgreed?: boolean;
  /**
   * Serializes registering with every other run at this CA: the lineage lock port (under
   * {@link accountLockName}) and this run's owner name. Required: without it, concurrent first runs
   * at one CA (two `certonly`, a sweep over new lineages) each register an account, overwrite each
   * other's stored key, and use up a single-use EAB key twice.
   */
  readonly registrationLock: { readonly lock: LineageLock; readonly owner: string };
}

/** The name under which registering the account `accountId` is locked (a valid lineage lock name). */
export function accountLockName(accountId: string): string {
  return `account.${accountId}`.slice(0, 128);
}

/** How long a run waits for another run that is registering the same account, and how often it looks. */
const REGISTRATION_WAIT_MS = 30_000;
const REGISTRATION_POLL_MS = 200;
const REGISTRATION_LEASE_SECONDS = 120;

/**
 * Loads the account for a CA, registering it first when there is none (RFC 8555 §7.3), with EAB
 * when the lineage names credentials. Idempotent: the key is stored before registering, so a crash
 * between the two is repaired by `onlyReturnExisting`/newAccount with the same key next time.
 *
 * Registering is check, lock, check again: one run registers, and a run that finds the lock held
 * waits (30 s at most) for the account it registers, then fails with `LineageLockedError` if it
 * never appears. The key store writes the key with its URL as one value, so no reader pairs one
 * registration's key with another's URL.
 */
export async function ensureAccount(ctx: AcmeContext, deps: Pick<WorkflowDeps, 'keys' | 'resolveEab' | 'log'>, options: EnsureAccountOptions): Promise<Account & { id: string }> {
  const id = accountIdFor(options.directoryUrl, options.certbotAccount);
  const stored = await deps.keys.getAccountKey(id);
  if (stored?.accountUrl) return registered(id, stored, stored.accountUrl);
  // An account certbot registered is not replaced by a new registration (its EAB may be single-use).
  if (options.certbotAccount !== undefined) throw new CertbotAccountNotFoundError(options.certbotAccount, options.directoryUrl);
  const guard = options.registrationLock;
  let handle: LockHandle;
  try {
    handle = await guard.lock.acquire(accountLockName(id), { owner: guard.owner, leaseSeconds: REGISTRATION_LEASE_SECONDS });
  } catch (err) {
    if (!(err instanceof LineageLockedError)) throw err;
    return waitForRegistration(deps, id, err);
  }
  try {
    const again = await deps.keys.getAccountKey(id);
    if (again?.accountUrl) return registered(id, again, again.accountUrl);
    return await register(ctx, deps, options, id, again);
  } finally {
    await guard.lock.release(handle).catch(() => undefined);
  }
}

function registered(id: string, stored: StoredAccountKey, url: string): Account & { id: string } {
  return { id, url, key: importAccountKey(stored.privateKeyPem) };
}

/** Another run holds the registration lock: its account appears in the key store within seconds. */
async function waitForRegistration(deps: Pick<WorkflowDeps, 'keys'>, id: string, locked: LineageLockedError): Promise<Account & { id: string }> {
  const deadline = Date.now() + REGISTRATION_WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, REGISTRATION_POLL_MS));
    const stored = await deps.keys.getAccountKey(id);
    if (stored?.accountUrl) return registered(id, stored, stored.accountUrl);
  }
  throw locked;
}

async function register(
  ctx: AcmeContext,
  deps: Pick<WorkflowDeps, 'keys' | 'resolveEab' | 'log'>,
  options: EnsureAccountOptions,
  id: string,
  stored: StoredAccountKey | undefined,
): Promise<Account & { id: string }> {
  // A new key has no account yet, so it will need the EAB credentials: read them before anything is
  // stored, so that missing or broken ones leave nothing behind.
  const early = !stored && options.eabRef ? await deps.resolveEab(options.eabRef) : undefined;
  const key = stored ? importAccountKey(stored.privateKeyPem) : await generateAccountKey(options.accountKeyType ?? 'ecdsa-p256');
  if (!stored) await deps.keys.putAccountKey(id, { privateKeyPem: exportAccountKeyPem(key), directoryUrl: options.directoryUrl });
  let url: string;
  try {
    url = (await findAccount(ctx, key)).url;
  } catch (err) {
    if (!(err instanceof AcmeAccountDoesNotExistError)) throw err;
    const eab = early ?? (options.eabRef ? await deps.resolveEab(options.eabRef) : undefined);
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
