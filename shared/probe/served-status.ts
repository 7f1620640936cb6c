import type { Announcement, CertificateSummary } from '../store/index.js';

/** What an endpoint presented: its leaf certificate's serial and expiry, or why none was read. */
export type ServedCertificate = { readonly serialHex: string; readonly notAfter: string } | { readonly error: string };

/** How long after the deploy delay a server may still present the previous version (a reload, a rollout). */
export const SERVED_GRACE_SECONDS = 60 * 60;

/** A served certificate with fewer days left than this is alarmed (as the stored one is). */
export const SERVED_EXPIRY_DAYS = 14;

/**
 * - `current`: the lineage's current version is served.
 * - `switching`: another certificate is served, within the deploy delay plus {@link SERVED_GRACE_SECONDS}.
 * - `stale`: another certificate is served after that.
 * - `unreachable`: no certificate could be read (connection refused, handshake failed, timeout).
 */
export type ServedState = 'current' | 'switching' | 'stale' | 'unreachable';

export interface ServedStatus {
  readonly state: ServedState;
  /** Days left on the served certificate (fractional; negative once expired). */
  readonly daysToExpiry?: number;
  /** Fewer than {@link SERVED_EXPIRY_DAYS} days left on what is served. */
  readonly expiring: boolean;
  /** What the alarm counts: stale, expiring, or unreachable. */
  readonly alarm: boolean;
}

/** Serial numbers compare as numbers: case, colons and the DER sign byte (`00`) do not matter. */
function serialKey(serialHex: string): string {
  return serialHex
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '')
    .replace(/^0+/, '');
}

/**
 * Compares what an endpoint serves with the lineage's current version. Pure: the clock is an input.
 * The deploy window starts when the current version was stored (`issuedAt`) and lasts its deploy
 * delay (the outbox's `deployableAt` when there is one) plus the grace.
 *
 * @example
 * ```ts
 * servedStatus({ served, state: lineage.state, deployDelaySeconds: 600, now: new Date() });
 * // { state: 'stale', daysToExpiry: 9.5, expiring: true, alarm: true }
 * ```
 */
export function servedStatus(input: {
  readonly served: ServedCertificate;
  readonly state: { readonly current?: Pick<CertificateSummary, 'serialHex'>; readonly issuedAt?: string; readonly announced?: Announcement };
  readonly deployDelaySeconds: number;
  readonly now: Date;
  readonly graceSeconds?: number;
}): ServedStatus {
  const { served, state, now } = input;
  if ('error' in served) return { state: 'unreachable', expiring: false, alarm: true };
  const daysToExpiry = Math.round(((Date.parse(served.notAfter) - now.getTime()) / 86_400_000) * 100) / 100;
  const expiring = !(daysToExpiry >= SERVED_EXPIRY_DAYS);
  if (state.current && serialKey(state.current.serialHex) === serialKey(served.serialHex)) return { state: 'current', daysToExpiry, expiring, alarm: expiring };
  const deployableAt = state.announced ? Date.parse(state.announced.deployableAt) : Date.parse(state.issuedAt ?? '') + input.deployDelaySeconds * 1000;
  const windowEnd = deployableAt + (input.graceSeconds ?? SERVED_GRACE_SECONDS) * 1000;
  const switching = !Number.isNaN(windowEnd) && now.getTime() < windowEnd;
  return { state: switching ? 'switching' : 'stale', daysToExpiry, expiring, alarm: expiring || !switching };
}
