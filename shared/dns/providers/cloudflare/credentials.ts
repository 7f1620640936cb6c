import { readFile as fsReadFile, stat as fsStat } from 'node:fs/promises';
import { CloudflareCredentialsError, CloudflareCredentialsFileNotFoundError, CLOUDFLARE_TOKEN_SCOPE } from './errors.js';

/** File access for {@link readCloudflareCredentials}; node:fs/promises by default. */
export interface CloudflareCredentialsFileDeps {
  readonly readFile?: (path: string, encoding: 'utf8') => Promise<string>;
  readonly stat?: (path: string) => Promise<{ mode: number }>;
  /** Told when the file is readable by group or others (certbot warns the same way). @default no warning */
  readonly warn?: (message: string) => void;
}

/** certbot's keys (`dns_cloudflare_` prefix, and the pre-0.31 `certbot_dns_cloudflare:` one). */
const TOKEN_KEYS = ['dns_cloudflare_api_token', 'certbot_dns_cloudflare:dns_cloudflare_api_token'];
const GLOBAL_KEY_KEYS = ['dns_cloudflare_api_key', 'certbot_dns_cloudflare:dns_cloudflare_api_key'];

/** `key = value` lines of a certbot INI file (configobj syntax without sections): `#`/`;` comments, optional quotes. */
function parseIni(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^#;=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, key = '', raw = ''] = match;
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    entries.set(key, quoted ? (quoted[2] ?? '') : raw.replace(/\s+[#;].*$/, ''));
  }
  return entries;
}

/**
 * Read the API token from a certbot-dns-cloudflare credentials file, so a server set up for certbot
 * works unchanged:
 * ```ini
 * # /etc/letsencrypt/cloudflare.ini, mode 0600
 * dns_cloudflare_api_token = 0123456789abcdef0123456789abcdef01234567
 * ```
 * A file readable by group or others still works, with a warning; a missing file is
 * {@link CloudflareCredentialsFileNotFoundError}; a file with only the legacy global API key is refused.
 *
 * @example
 * ```ts
 * const { apiToken } = await readCloudflareCredentials('/etc/letsencrypt/cloudflare.ini', { warn: console.warn });
 * ```
 */
export async function readCloudflareCredentials(path: string, deps: CloudflareCredentialsFileDeps = {}): Promise<{ apiToken: string }> {
  const readFile = deps.readFile ?? fsReadFile;
  const stat = deps.stat ?? fsStat;
  let text: string;
  let mode: number;
  try {
    [text, { mode }] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  } catch (error) {
    throw new CloudflareCredentialsFileNotFoundError(path, { cause: error });
  }
  if ((mode & 0o077) !== 0) {
    deps.warn?.(
      `Unsafe permissions on the Cloudflare credentials file ${path} (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): ` +
        `it holds an API token and is readable by group or others; run chmod 600 ${path}`,
    );
  }
  const entries = parseIni(text);
  const apiToken = TOKEN_KEYS.map((key) => entries.get(key)).find((value) => value !== undefined && value !== '');
  if (apiToken !== undefined) return { apiToken };
  if (GLOBAL_KEY_KEYS.some((key) => entries.has(key))) {
    throw new CloudflareCredentialsError(
      `${path} holds a Cloudflare global API key (dns_cloudflare_api_key), which acmeflow does not use`,
      `create an API token with ${CLOUDFLARE_TOKEN_SCOPE} on the zones and write it as "dns_cloudflare_api_token = <token>" in ${path}`,
    );
  }
  throw new CloudflareCredentialsError(
    `${path} has no dns_cloudflare_api_token entry`,
    `add the line "dns_cloudflare_api_token = <token>" (a token with ${CLOUDFLARE_TOKEN_SCOPE}) to ${path}`,
  );
}
