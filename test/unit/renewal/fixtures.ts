import type { LineageState } from '../../../shared/store/index.js';

/** The fixed clock every renewal test runs on: certificates are issued at T0. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The instant `offset` ms after T0. */
export const at = (offset: number): Date => new Date(T0 + offset);
/** The same, as stored (ISO 8601). */
export const isoAt = (offset: number): string => new Date(T0 + offset).toISOString();

export const ARI_ID = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';

/** A lineage whose current certificate was issued at T0 and lives `lifetime` ms. */
export function lineageState(lifetime: number, extra: Partial<LineageState> = {}): LineageState {
  return {
    currentVersion: 1,
    current: {
      serialHex: '0a1b2c',
      notBefore: isoAt(0),
      notAfter: isoAt(lifetime),
      domains: ['example.com', 'www.example.com'],
      ariCertificateId: ARI_ID,
    },
    ...extra,
  };
}

/** A `random` that fails the test when the policy draws a number it should not need. */
export const noRandom = (): number => {
  throw new Error('random() must not be called here');
};
