import type { Announcement, LineageState } from '../store/index.js';

/**
 * How long after a version was stored, or after its deploy delay ended, an event still missing is
 * owed rather than on its way: the issuance's own EmitIssued runs seconds after StoreCertificate, and
 * the follow-up execution emits `Certificate Deployable` when the delay ends. A sweep that meets them
 * in between leaves them to it, so an event is not published twice for a run that is only slow.
 */
export const ANNOUNCE_GRACE_SECONDS = 15 * 60;

/** Which event of the current version is owed, or undefined when nothing is. */
export type OwedAnnouncement = 'issued' | 'deployable' | undefined;

/**
 * The outbox's question for the sweep's planning: was the current version stored and not announced?
 * Pure: the clock is an input.
 *
 * - Nothing is owed without an outbox entry, or for a version that is no longer current (the new
 *   version's run announces it), or once both events are out.
 * - `issued` is owed {@link ANNOUNCE_GRACE_SECONDS} after the version was stored (`issuedAt`).
 * - `deployable` is owed the same grace after the deploy delay ended (`deployableAt`).
 *
 * @example
 * ```ts
 * owedAnnouncement({ state, now: new Date() }); // 'issued' when EmitIssued failed an hour ago
 * ```
 */
export function owedAnnouncement(input: {
  readonly state: Pick<LineageState, 'currentVersion' | 'issuedAt'> & { readonly announced?: Announcement };
  readonly now: Date;
}): OwedAnnouncement {
  const { state, now } = input;
  const announced = state.announced;
  if (!announced || announced.version !== state.currentVersion || state.currentVersion === 0) return undefined;
  const grace = ANNOUNCE_GRACE_SECONDS * 1000;
  const pastGrace = (iso: string | undefined) => {
    const at = iso === undefined ? Number.NaN : Date.parse(iso);
    // An unreadable time cannot hold the announcement back.
    return Number.isNaN(at) || now.getTime() >= at + grace;
  };
  if (!announced.issued) return pastGrace(state.issuedAt) ? 'issued' : undefined;
  if (!announced.deployable) return pastGrace(announced.deployableAt) ? 'deployable' : undefined;
  return undefined;
}
