/**
 * The issuance step handlers with in-memory deps: the shape in and out, the fields the state
 * machine adds kept through every step, the `{ input, owner }` unwrapping of PrepareOrder, and the
 * error envelope (literal name + ACME problem) of a failing step.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { accountIdFor, type IssuanceState } from '../../../shared/workflow/index.js';
import { exportAccountKeyPem, generateAccountKey } from '../../../shared/acme/index.js';
import { makeHandler as checkPropagation } from '../../../functions/check-propagation/handler.js';
import { makeHandler as cleanupRecords } from '../../../functions/cleanup-records/handler.js';
import { makeHandler as emitDeployable } from '../../../functions/emit-deployable/handler.js';
import { makeHandler as emitIssued } from '../../../functions/emit-issued/handler.js';
import { makeHandler as finalizeOrder } from '../../../functions/finalize-order/handler.js';
import { makeHandler as pollAuthorizations } from '../../../functions/poll-authorizations/handler.js';
import { makeHandler as pollOrder } from '../../../functions/poll-order/handler.js';
import { makeHandler as prepareOrder } from '../../../functions/prepare-order/handler.js';
import { makeHandler as publishRecords } from '../../../functions/publish-records/handler.js';
import { makeHandler as respondChallenges } from '../../../functions/respond-challenges/handler.js';
import { makeHandler as storeCertificate } from '../../../functions/store-certificate/handler.js';
import type { DepsSource, StepHandler } from '../../../functions/runtime/make-step-handler.js';
import { acmeJson, DIRECTORY, DIRECTORY_URL, memoryDeps, putLineage, type MemoryDeps } from './support/memory-deps.js';

const ORDER_URL = 'https://ca.test/order/1';

/** A valid issuance state after PrepareOrder, with one pending authorization and its record. */
function state(overrides: Partial<IssuanceState> = {}): IssuanceState {
  return {
    lineage: 'shop',
    dryRun: false,
    force: false,
    renewal: false,
    skipped: false,
    directoryUrl: DIRECTORY_URL,
    accountId: accountIdFor(DIRECTORY_URL),
    accountUrl: 'https://ca.test/account/1',
    order: { url: ORDER_URL, finalize: 'https://ca.test/order/1/finalize', status: 'pending' },
    authorizations: [
      {
        url: 'https://ca.test/authz/1',
        identifier: 'shop.example.test',
        status: 'pending',
        challengeUrl: 'https://ca.test/chall/1',
        recordName: '_acme-challenge.shop.example.test',
        effectiveName: '_acme-challenge.shop.example.test',
        value: 'txt-value-1',
      },
    ],
    records: [{ name: '_acme-challenge.shop.example.test', values: ['txt-value-1'], ttl: 60 }],
    changes: [],
    keyToken: '0123456789abcdef0123456789abcdef',
    startedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** What the state machine adds to the state on the way (Catch, Pass states, cleanup's ResultSelector). */
const EXTRAS = {
  error: { Error: 'AcmeValidationFailedError', Cause: '{"message":"x"}' },
  failedStep: 'PollAuthorizations',
  cleanup: { cleanupErrors: [] },
  traceId: 'abc',
};

/** The Lambda round trip: what a Task receives is JSON. */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let m: MemoryDeps;
beforeEach(async () => {
  m = memoryDeps();
  await putLineage(m.store, 'shop', { currentVersion: 0 }, { deployDelay: 600 });
});

async function failure(handler: StepHandler, event: unknown): Promise<Error> {
  const result = await handler(event).then(
    (value) => ({ value }),
    (err: unknown) => ({ err: err as Error }),
  );
  if (!('err' in result)) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.err;
}

const payloadOf = (err: Error) => JSON.parse(err.message) as { message: string; problem?: Record<string, unknown>; retryAfterSeconds?: number };

const ISSUANCE_STATE_HANDLERS: Record<string, (deps: DepsSource) => StepHandler> = {
  PublishRecords: publishRecords,
  CheckPropagation: checkPropagation,
  RespondChallenges: respondChallenges,
  PollAuthorizations: pollAuthorizations,
  FinalizeOrder: finalizeOrder,
  PollOrder: pollOrder,
  StoreCertificate: storeCertificate,
  CleanupRecords: cleanupRecords,
  EmitIssued: emitIssued,
  EmitDeployable: emitDeployable,
};

describe('PrepareOrder handler', () => {
  it('unwraps { input, owner }: the execution name owns the lock, over an owner in the input', async () => {
    // Planned at version 0, renewed meanwhile to 1: the step locks, checks again and skips.
    await putLineage(m.store, 'shop', { currentVersion: 1 });
    const acquired: string[] = [];
    const lock = m.lock;
    const deps = { ...m.deps, lock: { acquire: (l: string, o: { owner: string; leaseSeconds: number }) => (acquired.push(o.owner), lock.acquire(l, o)), release: lock.release.bind(lock) } };
    const out = (await prepareOrder(deps)({ input: { lineage: 'shop', expectedVersion: 0, owner: 'from-input' }, owner: 'exec-42' })) as IssuanceState;
    expect(acquired).toEqual(['exec-42']);
    expect(out).toMatchObject({ lineage: 'shop', skipped: true, dryRun: false, force: false, renewal: true });
    expect(out).not.toHaveProperty('lock');
    expect(m.lock.leases.size).toBe(0);
  });

  it('keeps the input\u2019s owner when the event has none', async () => {
    await putLineage(m.store, 'shop', { currentVersion: 1 });
    const acquired: string[] = [];
    const lock = m.lock;
    const deps = { ...m.deps, lock: { acquire: (l: string, o: { owner: string; leaseSeconds: number }) => (acquired.push(o.owner), lock.acquire(l, o)), release: lock.release.bind(lock) } };
    await prepareOrder(deps)({ input: { lineage: 'shop', expectedVersion: 0, owner: 'from-input' } });
    expect(acquired).toEqual(['from-input']);
  });

  it('refuses an event that is not { input: {...} } and an input without a lineage, naming the step', async () => {
    const notWrapped = await failure(prepareOrder(m.deps), { lineage: 'shop' });
    expect(notWrapped.name).toBe('InvalidStepInputError');
    expect(payloadOf(notWrapped).message).toContain('PrepareOrder');
    const noLineage = await failure(prepareOrder(m.deps), { input: { force: true }, owner: 'exec-1' });
    expect(noLineage.name).toBe('InvalidStepInputError');
    expect(payloadOf(noLineage).message).toContain('lineage');
  });

  it('fails an unknown lineage with LineageNotFoundError, whose name Step Functions matches', async () => {
    const err = await failure(prepareOrder(m.deps), { input: { lineage: 'nope' }, owner: 'exec-1' });
    expect(err.name).toBe('LineageNotFoundError');
    expect(payloadOf(err).message).toContain('"nope"');
  });
});

describe('issuance-state handlers', () => {
  it.each(Object.entries(ISSUANCE_STATE_HANDLERS))('%s refuses a state without a lineage with InvalidStepInputError', async (step, make) => {
    const { lineage: _gone, ...broken } = state();
    const err = await failure(make(m.deps), broken);
    expect(err.name).toBe('InvalidStepInputError');
    expect(payloadOf(err).message).toContain(step);
    expect(payloadOf(err).message).toContain('lineage');
  });

  it.each(Object.entries(ISSUANCE_STATE_HANDLERS))('%s keeps the fields the state machine added (skipped run)', async (_step, make) => {
    const out = (await make(m.deps)(json({ ...state({ skipped: true }), ...EXTRAS }))) as Record<string, unknown>;
    expect(out).toMatchObject({ lineage: 'shop', skipped: true, ...EXTRAS });
  });

  it('PublishRecords upserts each record and returns the change refs, extra fields kept, defaults applied', async () => {
    const { skipped: _default, ...withoutSkipped } = state();
    const out = (await publishRecords(m.deps)(json({ ...withoutSkipped, ...EXTRAS }))) as IssuanceState & typeof EXTRAS;
    expect(m.dns.calls).toEqual(['upsert _acme-challenge.shop.example.test']);
    expect(out.changes).toEqual([{ provider: 'memory', id: 'change-1' }]);
    expect(out.skipped).toBe(false);
    expect(out).toMatchObject(EXTRAS);
    expect(out).not.toHaveProperty('poll');
  });

  it('CheckPropagation sets poll for the Choice state: done when ready, a wait when not', async () => {
    const ready = (await checkPropagation(m.deps)(json(state()))) as IssuanceState;
    expect(ready.poll).toMatchObject({ done: true, waitSeconds: 0, attempt: 1 });
    const waiting = memoryDeps({
      overrides: { checkPropagation: async () => ({ ready: false, missing: [{ name: '_acme-challenge.shop.example.test', server: '192.0.2.53:53', reason: 'absent' }], checkedServers: [] }) },
    });
    await putLineage(waiting.store, 'shop');
    const notYet = (await checkPropagation(waiting.deps)(json(state()))) as IssuanceState;
    expect(notYet.poll).toMatchObject({ done: false, attempt: 1 });
    expect(notYet.poll?.waitSeconds).toBeGreaterThanOrEqual(1);
  });

  it('RespondChallenges without the account key fails with KeyNotFoundError (the envelope keeps the name)', async () => {
    const err = await failure(respondChallenges(m.deps), json(state()));
    expect(err.name).toBe('KeyNotFoundError');
  });

  it('PollOrder carries the CA\u2019s problem document and Retry-After in the thrown error', async () => {
    const key = await generateAccountKey('ecdsa-p256');
    await m.keys.putAccountKey(accountIdFor(DIRECTORY_URL), { privateKeyPem: exportAccountKeyPem(key), directoryUrl: DIRECTORY_URL, accountUrl: 'https://ca.test/account/1' });
    const problem = {
      type: 'urn:ietf:params:acme:error:rateLimited',
      detail: 'too many new orders recently',
      status: 429,
      subproblems: [{ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'per-name limit', identifier: { type: 'dns', value: 'shop.example.test' } }],
    };
    m.script((method, url) => {
      if (method === 'GET' && url === DIRECTORY_URL) return acmeJson(DIRECTORY);
      if (method === 'HEAD' && url === DIRECTORY.newNonce) return new Response(null, { status: 200, headers: { 'replay-nonce': 'n1' } });
      if (method === 'POST' && url === ORDER_URL) return acmeJson(problem, { status: 429, contentType: 'application/problem+json', headers: { 'retry-after': '120' } });
      return undefined;
    });
    const err = await failure(pollOrder(m.deps), json(state({ order: { url: ORDER_URL, finalize: `${ORDER_URL}/finalize`, status: 'processing' } })));
    expect(err.name).toBe('AcmeRateLimitedError');
    const payload = payloadOf(err);
    expect(payload.problem).toEqual(problem);
    expect(payload.retryAfterSeconds).toBe(120);
    expect(m.requests).toContain(`POST ${ORDER_URL}`);
  });

  it('CleanupRecords removes the records, releases the lock and reports cleanupErrors, keeping error and failedStep', async () => {
    const lock = await m.lock.acquire('shop', { owner: 'exec-1', leaseSeconds: 60 });
    await m.keys.putPendingCertificateKey('shop', state().keyToken, 'pending-key-pem');
    const out = (await cleanupRecords(m.deps)(json({ ...state({ lock: { ...lock } }), ...EXTRAS }))) as Record<string, unknown>;
    expect(m.dns.calls).toEqual(['delete _acme-challenge.shop.example.test']);
    expect(m.lock.leases.size).toBe(0);
    expect(m.keys.pending.size).toBe(0);
    expect(out['cleanupErrors']).toEqual([]);
    expect(out).not.toHaveProperty('lock');
    expect(out).toMatchObject({ error: EXTRAS.error, failedStep: EXTRAS.failedStep });
  });

  it('CleanupRecords removes the copies a moved lineage left in its old key store once a later version was delivered, and not before', async () => {
    const removed: string[] = [];
    Object.assign(m.keys, { removeMovedCertificateKeys: async (lineage: string, from: string) => void removed.push(`${lineage} from ${from}`) });
    const before = (await m.store.getLineage('shop'))!;
    const keyStoreMove = { from: 'secretsManager', to: 's3', atVersion: 1, movedAt: '2026-01-01T00:00:00.000Z' } as const;
    const announced = { version: 2, issued: true, deployable: false, deployableAt: '2026-01-02T00:10:00.000Z' };
    await m.store.putLineage({ spec: { ...before.lineage.spec, keyStore: 's3' }, state: { ...before.lineage.state, keyStoreMove, announced } }, { expectedEtag: before.etag });

    const lock = await m.lock.acquire('shop', { owner: 'exec-1', leaseSeconds: 60 });
    await cleanupRecords(m.deps)(json({ ...state({ lock: { ...lock } }), ...EXTRAS }));
    // Version 2 stored, not yet delivered: the old copy stays.
    expect(removed).toEqual([]);
    expect((await m.store.getLineage('shop'))!.lineage.state.keyStoreMove).toEqual(keyStoreMove);

    const now = (await m.store.getLineage('shop'))!;
    await m.store.putLineage({ spec: now.lineage.spec, state: { ...now.lineage.state, announced: { ...announced, deployable: true } } }, { expectedEtag: now.etag });
    const again = await m.lock.acquire('shop', { owner: 'exec-2', leaseSeconds: 60 });
    const out = (await cleanupRecords(m.deps)(json({ ...state({ lock: { ...again } }), ...EXTRAS }))) as Record<string, unknown>;
    expect(out['cleanupErrors']).toEqual([]);
    expect(removed).toEqual(['shop from secretsManager']);
    expect((await m.store.getLineage('shop'))!.lineage.state.keyStoreMove).toBeUndefined();
  });

  it('CleanupRecords clears the in-flight marker on top of a write that came between its read and its write', async () => {
    const lock = await m.lock.acquire('shop', { owner: 'exec-1', leaseSeconds: 60 });
    const before = (await m.store.getLineage('shop'))!;
    const inflight = { owner: 'exec-1', orderUrl: ORDER_URL, keyToken: state().keyToken, records: [], startedAt: '2026-01-01T00:00:00.000Z' };
    await m.store.putLineage({ spec: before.lineage.spec, state: { ...before.lineage.state, inflight } }, { expectedEtag: before.etag });
    // A losing run records its failure between CleanupRecords' read and its write.
    const put = m.store.putLineage.bind(m.store);
    let raced = false;
    m.store.putLineage = async (lineage, options) => {
      if (!raced) {
        raced = true;
        const now = (await m.store.getLineage('shop'))!;
        const failures = { count: 1, lastFailureAt: '2026-01-01T00:00:00.000Z', retryNotBefore: '2026-01-01T01:00:00.000Z', lastError: { name: 'LineageLockedError', message: 'held' } };
        await put({ spec: now.lineage.spec, state: { ...now.lineage.state, failures } }, { expectedEtag: now.etag });
      }
      return put(lineage, options);
    };
    const out = (await cleanupRecords(m.deps)(json({ ...state({ lock: { ...lock } }), ...EXTRAS }))) as Record<string, unknown>;
    expect(out['cleanupErrors']).toEqual([]);
    const after = (await m.store.getLineage('shop'))!.lineage.state;
    expect(after.inflight).toBeUndefined();
    expect(after.failures?.count).toBe(1);
  });

  it('CleanupRecords after a failed publish says no record was left (at info level), not that records remain', async () => {
    m.dns.deleteTxt = async () => Promise.reject(Object.assign(new Error('BADSIG'), { name: 'Rfc2136TsigError' }));
    const out = (await cleanupRecords(m.deps)(json({ ...state(), ...EXTRAS, failedStep: 'PublishRecords' }))) as Record<string, unknown>;
    expect(out['cleanupErrors']).toEqual(['_acme-challenge.shop.example.test: BADSIG']);
    expect(m.logs.filter((l) => l.level === 'warn')).toEqual([]);
    expect(m.logs).toContainEqual(
      expect.objectContaining({ level: 'info', message: expect.stringMatching(/^Publishing failed, so this run left no challenge record; .*\(_acme-challenge\.shop\.example\.test\)/) }),
    );
  });

  it('CleanupRecords after a later failure warns with the names of the records it could not remove', async () => {
    m.dns.deleteTxt = async () => Promise.reject(new Error('server down'));
    await cleanupRecords(m.deps)(json({ ...state(), ...EXTRAS }));
    expect(m.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'Could not remove the challenge records _acme-challenge.shop.example.test; the next run of shop removes them.' }),
    );
  });

  const result = {
    version: 1,
    serialHex: '0a1b',
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2026-04-01T00:00:00.000Z',
    domains: ['shop.example.test'],
    location: 'mem://live/shop/',
    keyLocation: 'mem://keys/shop',
  };

  it('EmitIssued publishes "Certificate Issued" and sets deployDelaySeconds from the lineage, keeping cleanupErrors', async () => {
    const out = (await emitIssued(m.deps)(json({ ...state({ result, order: { url: ORDER_URL, finalize: 'f', status: 'valid' } }), cleanupErrors: [] }))) as Record<string, unknown>;
    expect(out['deployDelaySeconds']).toBe(600);
    expect(out['cleanupErrors']).toEqual([]);
    expect(m.events.ofType('Certificate Issued')).toEqual([expect.objectContaining({ lineage: 'shop', version: 1, serialHex: '0a1b', deployDelaySeconds: 600 })]);
  });

  it('EmitDeployable publishes "Certificate Deployable" and returns the state as it came', async () => {
    const input = json({ ...state({ result }), cleanupErrors: [], deployDelaySeconds: 600 });
    const out = await emitDeployable(m.deps)(input);
    expect(out).toEqual(input);
    expect(m.events.ofType('Certificate Deployable')).toEqual([expect.objectContaining({ lineage: 'shop', serialHex: '0a1b' })]);
  });

  it('StoreCertificate without a certificate URL fails with CertificateMismatchError', async () => {
    const err = await failure(storeCertificate(m.deps), json(state()));
    expect(err.name).toBe('CertificateMismatchError');
  });
});
