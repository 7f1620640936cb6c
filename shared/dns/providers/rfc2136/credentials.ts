import { readFile, stat } from 'node:fs/promises';
import { Rfc2136ConfigError, Rfc2136CredentialsFileError } from './errors.js';
import { decodeTsigSecret, parseTsigAlgorithm, type TsigKey } from './tsig.js';

/** What a certbot RFC 2136 credentials file provides. */
export interface Rfc2136Credentials {
  readonly server: string;
  readonly port?: number;
  readonly tsig: TsigKey;
  /** `dns_rfc2136_sign_query` (certbot ≥ 2.4). */
  readonly signQuery?: boolean;
}

/** Options of {@link readRfc2136Credentials}. */
export interface ReadRfc2136CredentialsOptions {
  /** Receives warnings (unsafe permissions, deprecated algorithm); never the secret. @default no-op */
  readonly warn?: (message: string) => void;
}

/**
 * Read certbot's RFC 2136 credentials INI file (`--dns-rfc2136-credentials`), so a machine set up for
 * certbot works unchanged:
 *
 * ```ini
 * dns_rfc2136_server = 192.0.2.53
 * dns_rfc2136_port = 53
 * dns_rfc2136_name = acmeflow.
 * dns_rfc2136_secret = 4q4wM/2I180UXoMyN4INVhJNi8V9BCV+jMw2mXgZw/CSuxUT8C7NKKFs AmKd7ak51vWKgSl12ib86oQRPkpDjg==
 * dns_rfc2136_algorithm = HMAC-SHA512
 * ```
 *
 * Like certbot, it warns when the file is readable or writable by group or others, and defaults the
 * algorithm to HMAC-MD5 when the line is absent. Throws {@link Rfc2136CredentialsFileError} when the
 * file cannot be read and {@link Rfc2136ConfigError} when a required line is missing or invalid.
 *
 * @example
 * ```ts
 * const credentials = await readRfc2136Credentials('/etc/letsencrypt/rfc2136.ini', { warn: console.warn });
 * ```
 */
export async function readRfc2136Credentials(path: string, options: ReadRfc2136CredentialsOptions = {}): Promise<Rfc2136Credentials> {
  const warn = options.warn ?? (() => {});
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Rfc2136CredentialsFileError(path, 'not a regular file');
    // certbot: "Unsafe permissions on credentials configuration file" when group/others have any access.
    if ((info.mode & 0o077) !== 0) {
      warn(`Unsafe permissions on credentials configuration file ${path} (mode ${(info.mode & 0o777).toString(8)}): run chmod 600 ${path}`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Rfc2136CredentialsFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'read failed');
    throw new Rfc2136CredentialsFileError(path, problem, { cause: error });
  }
  return parseRfc2136Credentials(text, { source: path, warn });
}

/**
 * Parse the text of a certbot RFC 2136 credentials file (configobj INI: `key = value`, `#`/`;`
 * comments, optional quotes, certbot's optional `certbot_dns_rfc2136:` prefix).
 */
export function parseRfc2136Credentials(text: string, options: { source?: string; warn?: (message: string) => void } = {}): Rfc2136Credentials {
  const values = parseIni(text);
  const get = (key: string): string | undefined => values.get(`dns_rfc2136_${key}`) ?? values.get(`certbot_dns_rfc2136:dns_rfc2136_${key}`);
  const issues: string[] = [];
  const server = get('server');
  const name = get('name');
  const secret = get('secret');
  const algorithmText = get('algorithm');
  const portText = get('port');
  const signQueryText = get('sign_query');
  if (server === undefined || server === '') issues.push('dns_rfc2136_server: missing (the target DNS server)');
  if (name === undefined || name === '') issues.push('dns_rfc2136_name: missing (the TSIG key name)');
  if (secret === undefined || secret === '') issues.push('dns_rfc2136_secret: missing (the TSIG key secret)');
  else if (decodeTsigSecret(secret) === undefined) issues.push('dns_rfc2136_secret: not valid base64');
  const algorithm = algorithmText === undefined || algorithmText === '' ? 'hmac-md5' : parseTsigAlgorithm(algorithmText);
  if (algorithm === undefined) issues.push(`dns_rfc2136_algorithm: unknown algorithm ${JSON.stringify(algorithmText)} (use HMAC-SHA256 or HMAC-SHA512)`);
  let port: number | undefined;
  if (portText !== undefined && portText !== '') {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) issues.push(`dns_rfc2136_port: not a port number: ${JSON.stringify(portText)}`);
  }
  let signQuery: boolean | undefined;
  if (signQueryText !== undefined && signQueryText !== '') {
    signQuery = /^(true|yes|on|1)$/i.test(signQueryText);
    if (!signQuery && !/^(false|no|off|0)$/i.test(signQueryText)) issues.push('dns_rfc2136_sign_query: not a boolean');
  }
  if (issues.length > 0) throw new Rfc2136ConfigError(issues, options.source === undefined ? {} : { source: options.source });
  if (algorithm === 'hmac-md5') {
    options.warn?.(
      `${options.source ?? 'credentials'}: TSIG algorithm HMAC-MD5${algorithmText === undefined || algorithmText === '' ? ' (certbot\'s default when dns_rfc2136_algorithm is absent)' : ''} is deprecated (RFC 8945 §6); prefer HMAC-SHA512`,
    );
  }
  return {
    server: server!,
    ...(port === undefined ? {} : { port }),
    tsig: { name: name!, algorithm: algorithm!, secret: secret! },
    ...(signQuery === undefined ? {} : { signQuery }),
  };
}

function parseIni(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const key = line.slice(0, equals).trim().toLowerCase();
    let value = line.slice(equals + 1).trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted !== null) value = quoted[2]!;
    else value = value.replace(/\s+[#;].*$/, ''); // configobj inline comment after an unquoted value
    values.set(key, value);
  }
  return values;
}
