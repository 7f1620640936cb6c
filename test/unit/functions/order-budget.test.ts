/**
 * The CA's new-order limit in PrepareOrder: a sweep's item whose account used up its budget, or is
 * held after the CA answered `rateLimited`, is skipped (`onHold`) without an order and without a
 * failure; an ARI renewal the CA exempts does not count; a `rateLimited` answer holds the account
 * until its Retry-After, so the one lineage that met it fails and the rest wait quietly.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CA_PRESETS } from '../../../shared/config/ca-presets.js';
import { exportAccountKeyPem, generateAccountKey } from '../../../shared/acme/index.js';
import { MemoryNewOrderBudget } from '../../../shared/store/index.js';
import { accountIdFor, type IssuanceState } from '../../../shared/workflow/index.js';
import { makeHandler as prepareOrder } from '../../../functions/prepare-order/handler.js';
import { acmeJson, DIRECTORY, memoryDeps, putLineage, type MemoryDeps } from './support/memory-deps.js';

const LE = CA_PRESETS.letsencrypt.directoryUrl;
const NOW = new Date('2026-03-01T00:00:00Z');
const ACCOUNT_URL = 'https://ca.test/account/1';

let m: MemoryDeps;
let budget: MemoryNewOrderBudget;
let orders: number;
let answerOrder: () => Response;

beforeEach(async () => {
  budget = new MemoryNewOrderBudget(() => NOW);
  m = memoryDeps({ now: () => NOW, overrides: { orderBudget: budget } });
  const key = await generateAccountKey('ecdsa-p256');
  await m.keys.putAccountKey(accountIdFor(LE), { privateKeyPem: exportAccountKeyPem(key), directoryUrl: LE, accountUrl: ACCOUNT_URL });
  orders = 0;
  answerOrder = () =>
    acmeJson(
      { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many new orders recently', status: 429 },
      { status: 429, contentType: 'application/problem+json', headers: { 'retry-after': '7200' } },
    );
  m.script((method, url) => {
    if (method === 'GET' && url === LE) return acmeJson(DIRECTORY);
    if (method === 'HEAD' && url === DIRECTORY.newNonce) return new Response(null, { status: 200, headers: { 'replay-nonce': 'n1' } });
    if (method === 'POST' && url === DIRECTORY.newOrder) {
      orders++;
      return answerOrder();
    }
    return undefined;
  });
});

const run = (lineage: string, expectedVersion = 0) => prepareOrder(m.deps)({ input: { lineage, expectedVersion }, owner: `sweep-1-${lineage}` });

describe('PrepareOrder and the new-order budget', () => {
  it("skips a sweep's item once the account has used Let's Encrypt's 300 new orders in 3 hours: no order sent, no failure", async () => {
    for (let i = 0; i < 300; i++) await budget.take(ACCOUNT_URL, CA_PRESETS.letsencrypt.newOrderLimit);
    await putLineage(m.store, 'fresh', { currentVersion: 0 }, { ca: { directoryUrl: LE } });
    const out = (await run('fresh')) as IssuanceState;
    expect(out).toMatchObject({ skipped: true, skipReason: 'onHold', retryAt: '2026-03-01T03:00:00.000Z' });
    expect(orders).toBe(0);
    expect(m.lock.leases.size).toBe(0);
    expect(m.events.events).toEqual([]);
  });

  it('holds the account after rateLimited: the lineage that met it fails once, the next item is skipped without asking the CA', async () => {
    await putLineage(m.store, 'first', { currentVersion: 0 }, { ca: { directoryUrl: LE } });
    await putLineage(m.store, 'second', { currentVersion: 0 }, { ca: { directoryUrl: LE } });
    const failed = await run('first').then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failed?.name).toBe('AcmeRateLimitedError');
    expect(orders).toBe(1);
    const out = (await run('second')) as IssuanceState;
    expect(out).toMatchObject({ skipped: true, skipReason: 'onHold', retryAt: '2026-03-01T02:00:00.000Z' });
    expect(orders).toBe(1);
  });

  it('holds only the lineage when the limit is on its names (certificates per domain): the next item still orders', async () => {
    answerOrder = () =>
      acmeJson(
        { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many certificates (50) already issued for "example.jp" in the last 168h0m0s', status: 429 },
        { status: 429, contentType: 'application/problem+json', headers: { 'retry-after': '86400' } },
      );
    await putLineage(m.store, 'first', { currentVersion: 0 }, { ca: { directoryUrl: LE } });
    await putLineage(m.store, 'second', { currentVersion: 0 }, { ca: { directoryUrl: LE } });
    const failed = await run('first').then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failed?.name).toBe('AcmeRateLimitedError');
    // Not held: the second lineage's order reaches the CA.
    await run('second').catch(() => undefined);
    expect(orders).toBe(2);
  });

  it("uses the CA account's own limit over the preset's: two orders an hour, so the third item waits an hour", async () => {
    const own = { orders: 2, windowSeconds: 3600 };
    await putLineage(m.store, 'own', { currentVersion: 0 }, { ca: { directoryUrl: LE, newOrderLimit: own } });
    // Two orders already taken: far under Let's Encrypt's 300, at the account's own limit.
    for (let i = 0; i < 2; i++) await budget.take(ACCOUNT_URL, { ...own, ariRenewalsExempt: true });
    const out = (await run('own')) as IssuanceState;
    expect(out).toMatchObject({ skipped: true, skipReason: 'onHold', retryAt: '2026-03-01T01:00:00.000Z' });
    expect(orders).toBe(0);
    // The same item under the preset's limit orders (the CA answers rateLimited here: it was sent).
    await putLineage(m.store, 'preset', { currentVersion: 0 }, { ca: { directoryUrl: LE } });
    await run('preset').catch(() => undefined);
    expect(orders).toBe(1);
  });

  it("counts an ARI renewal when the account's limit says the CA does not exempt it", async () => {
    const own = { orders: 1, windowSeconds: 3600, ariRenewalsExempt: false };
    await budget.take(ACCOUNT_URL, own);
    const current = { serialHex: '01', notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-04-01T00:00:00Z', domains: ['renew.example.test'], ariCertificateId: 'aGVsbG8.AQ' };
    await putLineage(m.store, 'renew', { currentVersion: 1, current }, { ca: { directoryUrl: LE, newOrderLimit: own } });
    const out = (await run('renew', 1)) as IssuanceState;
    expect(out).toMatchObject({ skipped: true, skipReason: 'onHold' });
    expect(orders).toBe(0);
  });

  it('does not count an ARI renewal where the CA exempts it', async () => {
    for (let i = 0; i < 300; i++) await budget.take(ACCOUNT_URL, CA_PRESETS.letsencrypt.newOrderLimit);
    const current = { serialHex: '01', notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-04-01T00:00:00Z', domains: ['renew.example.test'], ariCertificateId: 'aGVsbG8.AQ' };
    await putLineage(m.store, 'renew', { currentVersion: 1, current }, { ca: { directoryUrl: LE } });
    // Past the budget, the renewal reaches the CA (which here answers rateLimited: it was sent).
    await run('renew', 1).catch(() => undefined);
    expect(orders).toBe(1);
  });
});
