/**
 * The key store's id of one certbot account: `<CA slug>_<certbot account id>`. A renewal conf that
 * names its account (`account = <id>`, certbot's `--account`) is renewed with that account, not the
 * CA's default one, so the workflow asks the key store for it under this id and carries it between
 * steps like any other account id. The CA slug never holds `_` (it keeps only letters, digits, `.`
 * and `-`), so the first `_` splits the two parts.
 *
 * @example
 * ```ts
 * certbotAccountKeyId('127.0.0.1-14000-dir', '2e48c3a46f5c9b7327ac86e9b40ef680'); // '127.0.0.1-14000-dir_2e48…'
 * parseCertbotAccountKeyId('127.0.0.1-14000-dir_2e48…'); // { caId: '127.0.0.1-14000-dir', certbotId: '2e48…' }
 * ```
 */
export function certbotAccountKeyId(caId: string, certbotId: string): string {
  return `${caId}${SEPARATOR}${certbotId}`;
}

/** The two parts of a {@link certbotAccountKeyId}, or undefined for the CA's own account id. */
export function parseCertbotAccountKeyId(accountId: string): { readonly caId: string; readonly certbotId: string } | undefined {
  const at = accountId.indexOf(SEPARATOR);
  if (at <= 0 || at === accountId.length - 1) return undefined;
  return { caId: accountId.slice(0, at), certbotId: accountId.slice(at + 1) };
}

const SEPARATOR = '_';
