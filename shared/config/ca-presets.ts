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
  /** New orders one ACME account may place per window, kept across every sweep of an issuer (see {@link NewOrderLimit}). */
  readonly newOrderLimit?: NewOrderLimit;
  /** Lifetime of the certificates the CA issues without a profile (its default), in seconds. */
  readonly lifetimeSeconds?: number;
  /**
   * The profiles the CA is known to list in its directory (draft-ietf-acme-profiles), with each one's
   * certificate lifetime. Absent when not known: no synth warning is then given for a profile name.
   */
  readonly profiles?: Readonly<Record<string, { readonly lifetimeSeconds: number; readonly authorizationSeconds?: number }>>;
}

/**
 * A CA's limit on new orders per account (RFC 8555 §6.6 says only that a CA may limit; each CA says
 * how much). `ariRenewalsExempt`: orders that replace a certificate through ARI (`replaces`,
 * RFC 9773 §5) do not count.
 */
export interface NewOrderLimit {
  readonly orders: number;
  readonly windowSeconds: number;
  readonly ariRenewalsExempt: boolean;
}

/**
 * A CA account's own new-order limit (the construct's `caAccounts.<name>.newOrderLimit`, the lineage
 * spec's `ca.newOrderLimit`), used over its preset's. `ariRenewalsExempt` absent: the preset's
 * exemption (Let's Encrypt's), else counted.
 */
export type NewOrderLimitSetting = Omit<NewOrderLimit, 'ariRenewalsExempt'> & { readonly ariRenewalsExempt?: boolean | undefined };

/** Let's Encrypt: 300 new orders per account per 3 hours; renewals through ARI are exempt (letsencrypt.org/docs/rate-limits). */
const LE_NEW_ORDERS: NewOrderLimit = { orders: 300, windowSeconds: 3 * 3600, ariRenewalsExempt: true };
/**
 * The CAs that publish no per-account order limit for ACME (ZeroSSL, Google Trust Services, JPRS): a
 * conservative 100 an hour, none exempt, so a large first deploy paces itself instead of finding the
 * CA's limit by failing. The CA's own answer (`rateLimited` with Retry-After) still holds the account.
 */
const UNPUBLISHED_NEW_ORDERS: NewOrderLimit = { orders: 100, windowSeconds: 3600, ariRenewalsExempt: false };

const DAY = 86_400;

/**
 * Let's Encrypt's profiles: `classic` (90 days; 64 days from 2027-02-10, 45 in 2028), `tlsserver`
 * (45 days) and `shortlived` (160 hours), the last two with one hour to complete a pending
 * authorization (`authorizationSeconds`). The lifetimes are today's: the schedule errs short as
 * they shrink, since the issued certificate's own dates decide each renewal.
 */
const LE_PROFILES = {
  classic: { lifetimeSeconds: 90 * DAY },
  // With these two a pending authorization must be completed within one hour of the order.
  tlsserver: { lifetimeSeconds: 45 * DAY, authorizationSeconds: 3_600 },
  shortlived: { lifetimeSeconds: 160 * 3_600, authorizationSeconds: 3_600 },
} as const;

const LE = 'https://acme-v02.api.letsencrypt.org/directory';
const LE_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';
const GOOGLE = 'https://dv.acme-v02.api.pki.goog/directory';
const GOOGLE_STAGING = 'https://dv.acme-v02.test-api.pki.goog/directory';

export const CA_PRESETS = {
  letsencrypt: {
    name: 'letsencrypt',
    directoryUrl: LE,
    stagingDirectoryUrl: LE_STAGING,
    externalAccountRequired: false,
    lifetimeSeconds: 90 * DAY,
    profiles: LE_PROFILES,
    newOrderLimit: LE_NEW_ORDERS,
  },
  'letsencrypt-staging': {
    name: 'letsencrypt-staging',
    directoryUrl: LE_STAGING,
    stagingDirectoryUrl: LE_STAGING,
    externalAccountRequired: false,
    lifetimeSeconds: 90 * DAY,
    profiles: LE_PROFILES,
    newOrderLimit: LE_NEW_ORDERS,
  },
  zerossl: { name: 'zerossl', directoryUrl: 'https://acme.zerossl.com/v2/DV90', externalAccountRequired: true, lifetimeSeconds: 90 * DAY, newOrderLimit: UNPUBLISHED_NEW_ORDERS },
  google: { name: 'google', directoryUrl: GOOGLE, stagingDirectoryUrl: GOOGLE_STAGING, externalAccountRequired: true, lifetimeSeconds: 90 * DAY, newOrderLimit: UNPUBLISHED_NEW_ORDERS },
  'google-staging': {
    name: 'google-staging',
    directoryUrl: GOOGLE_STAGING,
    stagingDirectoryUrl: GOOGLE_STAGING,
    externalAccountRequired: true,
    lifetimeSeconds: 90 * DAY,
    newOrderLimit: UNPUBLISHED_NEW_ORDERS,
  },
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
    newOrderLimit: UNPUBLISHED_NEW_ORDERS,
    // The CA/Browser Forum's maximum since 2026-03-15 (ballot SC-081): the longest it can be.
    lifetimeSeconds: 200 * DAY,
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

/**
 * The new-order limit that applies to an account at a directory: the account's own (`ca.newOrderLimit`)
 * when given, else the preset's, else none (a private CA, Pebble). The account's limit keeps the
 * preset's ARI exemption unless it says otherwise.
 *
 * @example
 * ```ts
 * newOrderLimitFor('https://acme-v02.api.letsencrypt.org/directory'); // { orders: 300, windowSeconds: 10800, ariRenewalsExempt: true }
 * newOrderLimitFor('https://acme-v02.api.letsencrypt.org/directory', { orders: 50, windowSeconds: 3600 }); // { orders: 50, windowSeconds: 3600, ariRenewalsExempt: true }
 * ```
 */
export function newOrderLimitFor(directoryUrl: string, account?: NewOrderLimitSetting): NewOrderLimit | undefined {
  const preset = presetForDirectoryUrl(directoryUrl)?.newOrderLimit;
  if (account === undefined) return preset;
  return { orders: account.orders, windowSeconds: account.windowSeconds, ariRenewalsExempt: account.ariRenewalsExempt ?? preset?.ariRenewalsExempt ?? false };
}
