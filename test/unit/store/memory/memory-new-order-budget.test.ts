/**
 * The new-order budget's rules (shared/store/new-order-budget.ts) through `takeFrom` and the memory
 * adapter: the limit per window, the window sliding in thirds, exempt orders, the account's hold.
 */
import { describe, expect, it } from 'vitest';
import { CA_PRESETS, newOrderLimitFor } from '../../../../shared/config/ca-presets.js';
import { MemoryNewOrderBudget } from '../../../../shared/store/index.js';

const LIMIT = { orders: 3, windowSeconds: 3 * 3600, ariRenewalsExempt: true };
const HOUR = 3_600_000;

describe('MemoryNewOrderBudget', () => {
  it('grants the limit within a window, then refuses with when the oldest orders stop counting', async () => {
    let now = Date.parse('2026-03-01T00:10:00Z');
    const budget = new MemoryNewOrderBudget(() => new Date(now));
    for (let i = 0; i < 3; i++) await expect(budget.take('acct-1', LIMIT)).resolves.toEqual({ granted: true });
    const refused = await budget.take('acct-1', LIMIT);
    expect(refused).toEqual({ granted: false, reason: 'limit', retryAt: '2026-03-01T03:00:00.000Z' });
    // Another account has its own budget.
    await expect(budget.take('acct-2', LIMIT)).resolves.toEqual({ granted: true });
    now = Date.parse(refused.granted ? '' : refused.retryAt);
    await expect(budget.take('acct-1', LIMIT)).resolves.toEqual({ granted: true });
  });

  it('counts nothing for an exempt order (no limit), and still holds it back while the account is on hold', async () => {
    const now = Date.parse('2026-03-01T00:00:00Z');
    const budget = new MemoryNewOrderBudget(() => new Date(now));
    for (let i = 0; i < 10; i++) await expect(budget.take('acct-1', undefined)).resolves.toEqual({ granted: true });
    await expect(budget.take('acct-1', LIMIT)).resolves.toEqual({ granted: true });
    await expect(budget.hold('acct-1', new Date(now + HOUR))).resolves.toBe(true);
    await expect(budget.hold('acct-1', new Date(now + HOUR / 2))).resolves.toBe(false);
    await expect(budget.take('acct-1', undefined)).resolves.toEqual({ granted: false, reason: 'hold', retryAt: '2026-03-01T01:00:00.000Z' });
    await expect(budget.take('acct-1', LIMIT)).resolves.toMatchObject({ granted: false, reason: 'hold' });
  });
});

describe('newOrderLimitFor', () => {
  it("gives Let's Encrypt's 300 per 3 hours with ARI renewals exempt, a conservative limit to the other presets, none to a private CA", () => {
    expect(newOrderLimitFor(CA_PRESETS.letsencrypt.directoryUrl)).toEqual({ orders: 300, windowSeconds: 10_800, ariRenewalsExempt: true });
    for (const preset of [CA_PRESETS.zerossl, CA_PRESETS.google, CA_PRESETS.jprs]) expect(newOrderLimitFor(preset.directoryUrl)).toMatchObject({ ariRenewalsExempt: false });
    expect(newOrderLimitFor('https://pebble.test/dir')).toBeUndefined();
    expect(newOrderLimitFor('https://pebble.test/dir', { orders: 5, windowSeconds: 60, ariRenewalsExempt: false })).toEqual({
      orders: 5,
      windowSeconds: 60,
      ariRenewalsExempt: false,
    });
  });

  it("takes the account's own limit over the preset's, keeping the preset's ARI exemption unless it says otherwise", () => {
    const le = CA_PRESETS.letsencrypt.directoryUrl;
    expect(newOrderLimitFor(le, { orders: 50, windowSeconds: 3600 })).toEqual({ orders: 50, windowSeconds: 3600, ariRenewalsExempt: true });
    expect(newOrderLimitFor(le, { orders: 50, windowSeconds: 3600, ariRenewalsExempt: false })).toEqual({ orders: 50, windowSeconds: 3600, ariRenewalsExempt: false });
    expect(newOrderLimitFor(CA_PRESETS.jprs.directoryUrl, { orders: 10, windowSeconds: 60 })).toEqual({ orders: 10, windowSeconds: 60, ariRenewalsExempt: false });
    expect(newOrderLimitFor('https://pebble.test/dir', { orders: 5, windowSeconds: 60 })).toEqual({ orders: 5, windowSeconds: 60, ariRenewalsExempt: false });
  });
});
