import { EAB_ALGORITHMS, EabCredentialsError, parseEabCredentials, type ExternalAccountBinding } from '../shared/acme/index.js';
import { CA_PRESET_NAMES, CA_PRESETS, isCaPresetName, presetForDirectoryUrl, type CaPreset } from '../shared/config/index.js';
import type { KeyType } from '../shared/crypto/index.js';
import { UsageError } from './usage-error.js';

export const CA_OPTIONS = {
  server: { type: 'string' },
  ca: { type: 'string' },
  email: { type: 'string', short: 'm' },
  'agree-tos': { type: 'boolean' },
  'eab-kid': { type: 'string' },
  'eab-hmac-key': { type: 'string' },
  'eab-hmac-alg': { type: 'string' },
  // certbot's two names for Let's Encrypt's staging directory (or the preset's own staging one).
  staging: { type: 'boolean' },
  'test-cert': { type: 'boolean' },
} as const;

/**
 * `--eab-kid`, `--eab-hmac-key`, `--eab-hmac-alg`: both or neither, checked by the one EAB parser before
 * any network call; the parsed value is what the command passes on. The algorithm is case-insensitive
 * on the command line only (`--eab-hmac-alg hs512`), as it always was.
 */
export function eabFromFlags(values: {
  'eab-kid'?: string | undefined;
  'eab-hmac-key'?: string | undefined;
  'eab-hmac-alg'?: string | undefined;
}): ExternalAccountBinding | undefined {
  const kid = values['eab-kid'];
  const hmacKey = values['eab-hmac-key'];
  if (!kid && !hmacKey) return undefined;
  if (!kid || !hmacKey) throw new UsageError('External Account Binding needs both --eab-kid and --eab-hmac-key, as the CA portal gives them.');
  try {
    const algorithm = values['eab-hmac-alg']?.toUpperCase();
    return parseEabCredentials({ kid, hmacKey, ...(algorithm === undefined ? {} : { algorithm }) }, { source: 'flags', ref: 'command line' });
  } catch (err) {
    if (!(err instanceof EabCredentialsError)) throw err;
    if (err.field === 'algorithm') throw new UsageError(`--eab-hmac-alg must be ${EAB_ALGORITHMS.slice(0, -1).join(', ')} or ${EAB_ALGORITHMS.at(-1)}.`);
    throw new UsageError(`--eab-hmac-key: ${err.cause instanceof Error ? err.cause.message : err.message}`);
  }
}

/** `--server URL` or `--ca PRESET` (certbot's default is Let's Encrypt); `--staging`/`--test-cert` for the preset's staging directory. */
export function caFromFlags(values: {
  server?: string | undefined;
  ca?: string | undefined;
  staging?: boolean | undefined;
  'test-cert'?: boolean | undefined;
}): { directoryUrl: string; preset?: CaPreset } {
  if (values.server && values.ca) throw new UsageError('Give --server URL or --ca PRESET, not both.');
  if (values.staging || values['test-cert']) {
    const flag = values.staging ? '--staging' : '--test-cert';
    if (values.server) throw new UsageError(`${flag} chooses the CA's staging directory; give it or --server URL, not both.`);
    const base: CaPreset = values.ca && isCaPresetName(values.ca) ? CA_PRESETS[values.ca] : CA_PRESETS.letsencrypt;
    if (!base.stagingDirectoryUrl || base.stagingDirectoryUrl === base.directoryUrl) {
      if (base.name !== 'letsencrypt-staging' && base.name !== 'google-staging') throw new UsageError(`${flag}: ${base.name} has no staging directory.`);
    }
    const stagingUrl = base.stagingDirectoryUrl ?? base.directoryUrl;
    const preset = presetForDirectoryUrl(stagingUrl);
    return { directoryUrl: stagingUrl, ...(preset ? { preset } : {}) };
  }
  if (values.ca) {
    if (!isCaPresetName(values.ca)) throw new UsageError(`--ca ${values.ca}: unknown CA. Known: ${CA_PRESET_NAMES.join(', ')}; or give --server URL.`);
    const preset: CaPreset = CA_PRESETS[values.ca];
    return { directoryUrl: preset.directoryUrl, preset };
  }
  if (values.server) {
    let url: URL;
    try {
      url = new URL(values.server);
    } catch {
      throw new UsageError(`--server ${values.server}: not a URL. Give the CA's ACME directory URL, e.g. https://acme.amecert.jprs.jp/DV/getDirectory.`);
    }
    // Refused rather than stripped: the URL is written to renewal/<name>.conf, which every local user
    // may read, and ACME needs no credentials in it (the account key signs every request, RFC 8555
    // §6.2). Stripping them silently would send the person on with a URL they did not give.
    if (url.username !== '' || url.password !== '') {
      throw new UsageError(
        `--server: the directory URL holds credentials (user:password@${url.host}). Remove them: ACME needs none (the account key signs every request), and they would be stored in a file every user can read. Behind an authenticating proxy, set HTTPS_PROXY instead.`,
      );
    }
    if (url.protocol !== 'https:') throw new UsageError(`--server ${values.server}: the directory URL must be https (RFC 8555 §6.1: ACME is spoken over https only).`);
    const preset = presetForDirectoryUrl(url.toString());
    return { directoryUrl: url.toString(), ...(preset ? { preset } : {}) };
  }
  return { directoryUrl: CA_PRESETS.letsencrypt.directoryUrl, preset: CA_PRESETS.letsencrypt };
}

export const KEY_OPTIONS = {
  'key-type': { type: 'string' },
  'rsa-key-size': { type: 'string' },
  'elliptic-curve': { type: 'string' },
} as const;

/**
 * certbot's key flags to an explicit key type. Without --key-type the CA preset's suggestion
 * (RSA for JPRS, as its manual insists) or ECDSA P-256; either way the lineage stores it explicitly.
 */
export function keyTypeFromFlags(
  values: { 'key-type'?: string | undefined; 'rsa-key-size'?: string | undefined; 'elliptic-curve'?: string | undefined },
  preset: CaPreset | undefined,
): { keyType: KeyType; defaulted: boolean } {
  let kind = values['key-type']?.toLowerCase();
  if (kind !== undefined && kind !== 'rsa' && kind !== 'ecdsa') throw new UsageError(`--key-type ${values['key-type']}: use rsa or ecdsa.`);
  const defaulted = kind === undefined && !values['rsa-key-size'] && !values['elliptic-curve'];
  if (kind === undefined) {
    if (values['rsa-key-size']) kind = 'rsa';
    else if (values['elliptic-curve']) kind = 'ecdsa';
    else if (preset?.suggestedKeyType) return { keyType: preset.suggestedKeyType, defaulted: true };
    else kind = 'ecdsa';
  }
  if (kind === 'rsa') {
    if (values['elliptic-curve']) throw new UsageError('--elliptic-curve goes with --key-type ecdsa, not rsa.');
    const size = values['rsa-key-size'] ?? '2048';
    if (!['2048', '3072', '4096'].includes(size)) throw new UsageError(`--rsa-key-size ${size}: use 2048, 3072 or 4096.`);
    return { keyType: `rsa-${size}` as KeyType, defaulted };
  }
  if (values['rsa-key-size']) throw new UsageError('--rsa-key-size goes with --key-type rsa, not ecdsa.');
  const curve = values['elliptic-curve'] ?? 'secp256r1';
  const map: Record<string, KeyType> = { secp256r1: 'ecdsa-p256', prime256v1: 'ecdsa-p256', secp384r1: 'ecdsa-p384' };
  const keyType = map[curve];
  if (!keyType) throw new UsageError(`--elliptic-curve ${curve}: use secp256r1 or secp384r1.`);
  return { keyType, defaulted };
}
