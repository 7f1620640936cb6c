import { rm, rmdir, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { AcmeProblemError, createAcmeContext, getDirectory, type ExternalAccountBinding, type FetchFunction } from '../shared/acme/index.js';
import { FilesystemKeyStore, FilesystemLineageLock } from '../shared/store/filesystem/index.js';
import { accountIdFor, ensureAccount, type Logger } from '../shared/workflow/index.js';
import { UsageError } from './usage-error.js';

export interface AccountFlags {
  readonly directoryUrl: string;
  readonly email?: string | undefined;
  readonly agreeTos?: boolean | undefined;
  /** Parsed once from the flags by `eabFromFlags` (cli/ca-flags.ts). */
  readonly eab?: ExternalAccountBinding | undefined;
}

export function emailContacts(email: string | undefined): string[] {
  if (!email) return [];
  const list = email.split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of list) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) throw new UsageError(`-m ${e}: not an e-mail address.`);
  }
  return list;
}

/** Whether an account for this CA is stored in the config dir. */
export async function hasAccount(configDir: string, directoryUrl: string): Promise<string | undefined> {
  const stored = await new FilesystemKeyStore({ configDir }).getAccountKey(accountIdFor(directoryUrl));
  return stored?.accountUrl;
}

/**
 * Registers the account for a CA (certbot's `register`), or returns the stored one. New accounts
 * need --agree-tos (checked before any request), and EAB when the CA requires it.
 */
export async function registerAccount(
  configDir: string,
  flags: AccountFlags,
  log: Logger,
  fetch?: FetchFunction,
): Promise<{ url: string; created: boolean }> {
  const existing = await hasAccount(configDir, flags.directoryUrl);
  if (existing) return { url: existing, created: false };
  if (!flags.agreeTos) {
    throw new UsageError(
      `Registering an account with ${flags.directoryUrl} requires agreeing to the CA's terms of service: add --agree-tos (read them first).`,
    );
  }
  const { eab } = flags;
  const contact = emailContacts(flags.email);
  const keys = new FilesystemKeyStore({ configDir });
  const ctx = createAcmeContext({ directoryUrl: flags.directoryUrl, ...(fetch ? { fetch } : {}) });
  // An unreachable or non-ACME URL fails here, before an account key is written for it.
  await getDirectory(ctx);
  const configDirExisted = await stat(configDir).then(
    () => true,
    () => false,
  );
  try {
    const account = await ensureAccount(
      ctx,
      {
        keys,
        log,
        resolveEab: async () => {
          if (!eab) throw new UsageError('This CA needs --eab-kid and --eab-hmac-key to register.');
          return eab;
        },
      },
      {
        directoryUrl: flags.directoryUrl,
        contact,
        ...(eab ? { eabRef: 'command line' } : {}),
        termsOfServiceAgreed: true,
        registrationLock: { lock: new FilesystemLineageLock({ configDir }), owner: `register-${process.pid}-${randomUUID()}` },
      },
    );
    return { url: account.url, created: true };
  } catch (err) {
    // The CA refused the registration (a 4xx problem: wrong or expired EAB; or EAB missing where the
    // directory requires it, refused before sending, with no status): no account exists for the key
    // stored a moment ago, so it goes, with the directories made for it. After any other failure
    // (network, 5xx) the key stays: the CA may have created the account (and used up a single-use EAB
    // key), and the next attempt finds it with that key.
    const refused = err instanceof AcmeProblemError && (err.status === undefined || (err.status >= 400 && err.status < 500));
    if (refused) await forgetUnregisteredKey(keys, configDir, accountIdFor(flags.directoryUrl), configDirExisted);
    throw err;
  }
}

/** Removes an account key that was never registered, and the directories left empty by that. */
async function forgetUnregisteredKey(keys: FilesystemKeyStore, configDir: string, accountId: string, configDirExisted: boolean): Promise<void> {
  const stored = await keys.getAccountKey(accountId).catch(() => undefined);
  if (stored?.accountUrl) return;
  await rm(keys.layout.accountDir(accountId), { recursive: true, force: true });
  // rmdir removes only empty directories: anything else in them stays.
  await rmdir(keys.layout.accountsRoot).catch(() => undefined);
  // The registration lock's directory, released and empty by now.
  await rmdir(keys.layout.locksRoot).catch(() => undefined);
  if (!configDirExisted) await rmdir(configDir).catch(() => undefined);
}
