import { describe, expect, it } from 'vitest';
import { ANNOUNCE_GRACE_SECONDS, owedAnnouncement } from '../../../shared/workflow/owed-announcement.js';

const storedAt = '2026-03-01T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(storedAt) + seconds * 1000);
const state = (announced: { issued: boolean; deployable: boolean; version?: number }, currentVersion = 3) => ({
  currentVersion,
  issuedAt: storedAt,
  announced: { version: announced.version ?? 3, issued: announced.issued, deployable: announced.deployable, deployableAt: at(600).toISOString() },
});

describe('owedAnnouncement', () => {
  it('owes Certificate Issued once the grace after storing has passed, not before', () => {
    expect(owedAnnouncement({ state: state({ issued: false, deployable: false }), now: at(ANNOUNCE_GRACE_SECONDS - 1) })).toBeUndefined();
    expect(owedAnnouncement({ state: state({ issued: false, deployable: false }), now: at(ANNOUNCE_GRACE_SECONDS) })).toBe('issued');
  });

  it('owes Certificate Deployable only past the deploy delay and the grace', () => {
    const issued = state({ issued: true, deployable: false });
    expect(owedAnnouncement({ state: issued, now: at(600 + ANNOUNCE_GRACE_SECONDS - 1) })).toBeUndefined();
    expect(owedAnnouncement({ state: issued, now: at(600 + ANNOUNCE_GRACE_SECONDS) })).toBe('deployable');
  });

  it('owes nothing once both are out, for another version, or without an outbox', () => {
    const later = at(86_400);
    expect(owedAnnouncement({ state: state({ issued: true, deployable: true }), now: later })).toBeUndefined();
    // Version 4 was stored since: its own run announces it.
    expect(owedAnnouncement({ state: state({ issued: false, deployable: false }, 4), now: later })).toBeUndefined();
    expect(owedAnnouncement({ state: { currentVersion: 3, issuedAt: storedAt }, now: later })).toBeUndefined();
  });

  it('an unreadable time does not hold an announcement back', () => {
    expect(owedAnnouncement({ state: { ...state({ issued: false, deployable: false }), issuedAt: 'garbage' }, now: at(0) })).toBe('issued');
  });
});
