import { createPrivateKey } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { StoreError } from '../errors.js';
import type { StoredAccountKey } from '../key-store.js';
import { errorCode, readTextIfExists } from './atomic-files.js';
import type { CertbotLayout } from './certbot-layout.js';

/** certbot's server paths are `<host[:port]>/<path…>`; an account directory sits one level below. */
const MAX_DEPTH = 8;

/** certbot's account, as found under `accounts/<server path>/<id>/`. */
export interface CertbotAccount {
  /** certbot's account id (the directory name, an MD5 of the key), as renewal confs name it in `account`. */
  readonly id: string;
  /** `<host[:port]>/<path>` of the CA's directory URL, as certbot derives it (`NamespaceConfig.server_path`). */
  readonly serverPath: string;
  readonly createdAt: string;
  readonly key: StoredAccountKey;
}

/** The slug acmeflow's key store names an account by (`accountIdFor` in shared/workflow/account.ts), from a server path. */
function slugOf(serverPath: string): string {
  return serverPath.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
    throw error;
  });
  // certbot links an account directory from the path of a renamed server (LE_REUSE_SERVERS): links are followed.
  return entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name).sort();
}

/**
 * Every certbot account under `accounts/` whose server path gives the acmeflow account id
 * `accountId`, oldest first. certbot keeps an account as three files (certbot/_internal/account.py
 * `AccountFileStorage`): `regr.json` (`{ body, uri }`: the account URL, RFC 8555 §7.3), `private_key.json`
 * (the key as a JWK, RFC 7517) and `meta.json` (`creation_dt`, ...). A directory missing one of them
 * is not an account.
 *
 * @example
 * ```ts
 * const [account] = await findCertbotAccounts(new CertbotLayout('/etc/letsencrypt'), 'acme-v02.api.letsencrypt.org-directory');
 * ```
 */
export async function findCertbotAccounts(layout: CertbotLayout, accountId: string): Promise<CertbotAccount[]> {
  const found: CertbotAccount[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    for (const child of await subdirectories(dir)) {
      const path = join(dir, child);
      const account = await readCertbotAccount(layout, path);
      if (account === undefined) await walk(path, depth + 1);
      else if (slugOf(account.serverPath) === accountId) found.push(account);
    }
  };
  await walk(layout.accountsRoot, 0);
  return found.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** One certbot account directory, or undefined when `dir` is not one (acmeflow's own `account.json` directories included). */
async function readCertbotAccount(layout: CertbotLayout, dir: string): Promise<CertbotAccount | undefined> {
  const regrText = await readTextIfExists(join(dir, 'regr.json')).catch(() => undefined);
  if (regrText === undefined) return undefined;
  const keyText = await readTextIfExists(join(dir, 'private_key.json'));
  if (keyText === undefined) return undefined;
  const metaText = (await readTextIfExists(join(dir, 'meta.json'))) ?? '{}';
  const rel = relative(layout.accountsRoot, dir).split(sep);
  const id = rel.pop() as string;
  const where = `accounts/${[...rel, id].join('/')}`;
  let uri: unknown;
  let privateKeyPem: string;
  let createdAt = '';
  try {
    uri = (JSON.parse(regrText) as { uri?: unknown }).uri;
    privateKeyPem = createPrivateKey({ key: JSON.parse(keyText) as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ format: 'pem', type: 'pkcs8' }) as string;
    const created = (JSON.parse(metaText) as { creation_dt?: unknown }).creation_dt;
    if (typeof created === 'string') createdAt = created;
  } catch (error) {
    // Names the directory, never the key.
    throw new StoreError(`certbot's account ${where} cannot be read (regr.json, private_key.json or meta.json is damaged).`, { cause: error });
  }
  if (typeof uri !== 'string') throw new StoreError(`certbot's account ${where} has no account URL (regr.json "uri").`);
  const serverPath = rel.join('/');
  return { id, serverPath, createdAt, key: { privateKeyPem, accountUrl: uri, directoryUrl: `https://${serverPath}` } };
}
