import {
  accountKeyThumbprint,
  createAcmeContext,
  deactivateAccount,
  findAccount,
  getDirectory,
  importAccountKey,
  updateAccount,
  type FetchFunction,
} from '../shared/acme/index.js';
import { FilesystemKeyStore } from '../shared/store/filesystem/index.js';
import { sanitizeDisplayText } from '../shared/text/index.js';
import { accountIdFor } from '../shared/workflow/index.js';
import type { AccountOutcome, AccountRequest } from './backend/backend.js';
import { UsageError } from './usage-error.js';

/**
 * certbot's account verbs on the account stored for a CA (acmeflow's, else certbot's): show it
 * (RFC 8555 §7.3.1), replace its contacts (§7.3.2), or deactivate it (§7.3.6).
 *
 * @example
 * ```ts
 * const shown = await accountAction('/etc/letsencrypt', { action: 'show', directoryUrl });
 * ```
 */
export async function accountAction(configDir: string, request: AccountRequest, fetch?: FetchFunction): Promise<AccountOutcome> {
  const stored = await new FilesystemKeyStore({ configDir }).getAccountKey(accountIdFor(request.directoryUrl));
  if (!stored?.accountUrl) throw new UsageError(`No account is registered with ${request.directoryUrl} in ${configDir}. Register one with "acmeflow register".`);
  const key = importAccountKey(stored.privateKeyPem);
  const account = { url: stored.accountUrl, key };
  const ctx = createAcmeContext({ directoryUrl: request.directoryUrl, ...(fetch ? { fetch } : {}) });
  const resource =
    request.action === 'update'
      ? await updateAccount(ctx, account, { contact: request.contact ?? [] })
      : request.action === 'deactivate'
        ? await deactivateAccount(ctx, account)
        : // RFC 8555 §7.3.1: the account object for this key, which every CA answers.
          await findAccount(ctx, key);
  return {
    directoryUrl: request.directoryUrl,
    accountUrl: stored.accountUrl,
    thumbprint: await accountKeyThumbprint(key),
    contact: [...(resource.contact ?? [])],
    ...(resource.status ? { status: resource.status } : {}),
    // What the CA offers goes with the account it orders with (read from the directory findAccount fetched).
    ...(request.action === 'show' ? { profiles: offeredProfiles((await getDirectory(ctx)).meta?.profiles) } : {}),
  };
}

/** `meta.profiles` as sanitised strings (they reach a terminal or a script's JSON), whatever the CA sent in their place. */
function offeredProfiles(profiles: unknown): Record<string, string> {
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) return {};
  return Object.fromEntries(
    Object.entries(profiles).map(([name, description]) => [sanitizeDisplayText(name, 64), typeof description === 'string' ? sanitizeDisplayText(description, 200) : '']),
  );
}
