import type { KeyType } from '../crypto/index.js';

/** What acmeflow knows about a public CA, so a lineage can say `ca: { preset: 'jprs' }`. */
export interface CaPreset {
  readonly name: string;
  readonly directoryUrl: string;
  /** Where `--dry-run` goes; the same CA when it has no staging directory (ZeroSSL, JPRS). */
  readonly stagingDirectoryUrl?: string;
  readonly externalAccountRequired: boolean;
  /** The key type the CA's documentation asks for; lineages must still say theirs explicitly. */
  readonly suggestedKeyType?: KeyType;
  /** Seconds to wait after issuance before `Certificate Deployable` (OCSP responder lag). */
  readonly defaultDeployDelaySeconds?: number;
  /** The CA's renewal threshold, when it differs from one third of the lifetime (seconds before expiry). */
  readonly defaultRenewBeforeExpirySeconds?: number;
}

const LE = 'https://acme-v02.api.letsencrypt.org/directory';
const LE_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';
const GOOGLE = 'https://dv.acme-v02.api.pki.goog/directory';
const GOOGLE_STAGING = 'https://dv.acme-v02.test-api.pki.goog/directory';

export const CA_PRESETS = {
  letsencrypt: { name: 'letsencrypt', directoryUrl: LE, stagingDirectoryUrl: LE_STAGING, externalAccountRequired: false },
  'letsencrypt-staging': { name: 'letsencrypt-staging', directoryUrl: LE_STAGING, stagingDirectoryUrl: LE_STAGING, externalAccountRequired: false },
  zerossl: { name: 'zerossl', directoryUrl: 'https://acme.zerossl.com/v2/DV90', externalAccountRequired: true },
  google: { name: 'google', directoryUrl: GOOGLE, stagingDirectoryUrl: GOOGLE_STAGING, externalAccountRequired: true },
  'google-staging': { name: 'google-staging', directoryUrl: GOOGLE_STAGING, stagingDirectoryUrl: GOOGLE_STAGING, externalAccountRequired: true },
  /**
   * JPRS (the operator manual's CA): EAB required; the manual insists on RSA keys; its OCSP
   * responder learns of a new certificate up to ~10 minutes after issuance, so deploys wait 600 s;
   * its certificates are long-lived and may be billed per issuance, so renewal keeps certbot's
   * 30-day threshold instead of one third of the lifetime.
   */
  jprs: {
    name: 'jprs',
    directoryUrl: 'https://acme.amecert.jprs.jp/DV/getDirectory',
    externalAccountRequired: true,
    suggestedKeyType: 'rsa-2048',
    defaultDeployDelaySeconds: 600,
    defaultRenewBeforeExpirySeconds: 30 * 86400,
  },
} as const satisfies Record<string, CaPreset>;

export type CaPresetName = keyof typeof CA_PRESETS;
export const CA_PRESET_NAMES = Object.keys(CA_PRESETS) as CaPresetName[];

export function isCaPresetName(value: string): value is CaPresetName {
  return Object.hasOwn(CA_PRESETS, value);
}

/** The preset whose directory URL this is, if any (a custom URL has none). */
export function presetForDirectoryUrl(url: string): CaPreset | undefined {
  return Object.values(CA_PRESETS).find((p: CaPreset) => p.directoryUrl === url);
}
