/**
 * The ACME layer against the fake CA in harness/: the features Pebble 2.4 lacks (RFC 9773
 * renewal info, profiles) and the failures a real CA does not produce on demand.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clearDirectoryCache,
  createAcmeContext,
  finalizeOrder,
  generateAccountKey,
  getDirectory,
  getOrder,
  getRenewalInfo,
  newAccount,
  newOrder,
  type Account,
  type AcmeContext,
} from '../../../shared/acme/index.js';
import { startFakeAcmeServer, type FakeAcmeServer } from '../../../harness/fake-acme-server.js';
import { freePort } from '../../../harness/ports.js';

let ca: FakeAcmeServer;
let ctx: AcmeContext;
let account: Account;

beforeAll(async () => {
  ca = await startFakeAcmeServer({ renewalInfo: true, profiles: { classic: 'default', shortlived: '6 days' } });
});
afterAll(() => ca.stop());
beforeEach(async () => {
  clearDirectoryCache();
  ctx = createAcmeContext({ directoryUrl: ca.directoryUrl, transport: ca.transport, timeoutMs: 1000 });
  const key = await generateAccountKey();
  account = { url: (await newAccount(ctx, key, { termsOfServiceAgreed: true })).url, key };
  ca.requests.length = 0;
});

const newOrderPayloads = () => ca.requests.filter((r) => r.path === '/new-order').map((r) => r.payload as Record<string, unknown>);

describe('directory and nonces', () => {
  it('fetches the directory once per process and reuses nonces from responses', async () => {
    await newOrder(ctx, account, { domains: ['a.example'] });
    await newOrder(ctx, account, { domains: ['b.example'] });
    expect(ca.requests.filter((r) => r.path === '/directory')).toHaveLength(0); // cached since beforeEach
    expect(ca.requests.filter((r) => r.path === '/new-nonce')).toHaveLength(0); // nonce from the account response
  });

  it('asks newNonce only when it holds none', async () => {
    ctx.nonces.length = 0;
    await newOrder(ctx, account, { domains: ['a.example'] });
    expect(ca.requests.map((r) => r.path)).toEqual(['/new-nonce', '/new-order']);
  });

  it('retries badNonce with the nonce of the error response, and gives up after the bound', async () => {
    for (let i = 0; i < 3; i++) {
      ca.inject('/new-order', { status: 400, contentType: 'application/problem+json', body: JSON.stringify({ type: 'urn:ietf:params:acme:error:badNonce', detail: 'stale' }) });
    }
    const { order } = await newOrder(ctx, account, { domains: ['a.example'] });
    expect(order.status).toBe('pending');
    expect(ca.requests.filter((r) => r.path === '/new-nonce')).toHaveLength(0);

    const strict = createAcmeContext({ directoryUrl: ca.directoryUrl, transport: ca.transport, maxBadNonceRetries: 2 });
    for (let i = 0; i < 3; i++) {
      ca.inject('/new-order', { status: 400, contentType: 'application/problem+json', body: JSON.stringify({ type: 'urn:ietf:params:acme:error:badNonce', detail: 'stale' }) });
    }
    await expect(newOrder(strict, account, { domains: ['a.example'] })).rejects.toMatchObject({ name: 'AcmeBadNonceError' });
  });

  it('rejects a directory URL that is not ACME', async () => {
    ca.inject('/directory', { status: 200, contentType: 'application/json', body: '{"hello":"world"}' });
    await expect(getDirectory(ctx)).resolves.toBeDefined(); // cached: the injected answer is not read
    clearDirectoryCache();
    await expect(getDirectory(ctx)).rejects.toMatchObject({ name: 'AcmeInvalidResponseError', message: expect.stringContaining('newNonce') });
  });
});

describe('typed failures', () => {
  it('maps rateLimited with Retry-After in seconds', async () => {
    ca.inject('/new-order', {
      status: 429,
      contentType: 'application/problem+json',
      headers: { 'retry-after': '3600' },
      body: JSON.stringify({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many certificates' }),
    });
    const err = await newOrder(ctx, account, { domains: ['a.example'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AcmeRateLimitedError', retryAfterSeconds: 3600, status: 429, shortType: 'rateLimited' });
  });

  it('maps a rateLimited Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    ca.inject('/new-order', {
      status: 429,
      contentType: 'application/problem+json',
      headers: { 'retry-after': at },
      body: JSON.stringify({ type: 'urn:ietf:params:acme:error:rateLimited' }),
    });
    const err = (await newOrder(ctx, account, { domains: ['a.example'] }).catch((e: unknown) => e)) as { retryAfterSeconds: number };
    expect(err.retryAfterSeconds).toBeGreaterThan(100);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(121);
  });

  it('keeps subproblems as fields', async () => {
    ca.inject('/new-order', {
      status: 400,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: 'urn:ietf:params:acme:error:rejectedIdentifier',
        detail: 'Some names were rejected',
        subproblems: [{ type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'blocked', identifier: { type: 'dns', value: 'bad.example' } }],
      }),
    });
    const err = await newOrder(ctx, account, { domains: ['bad.example', 'ok.example'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AcmeProblemError', subproblems: [{ identifier: { value: 'bad.example' } }] });
    expect((err as Error).message).toContain('bad.example: rejectedIdentifier blocked');
  });

  it('turns an HTML 502 page into AcmeHttpError with status and URL', async () => {
    ca.inject('/new-order', { status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    await expect(newOrder(ctx, account, { domains: ['a.example'] })).rejects.toMatchObject({
      name: 'AcmeHttpError',
      status: 502,
      url: `${ca.baseUrl}/new-order`,
      bodySnippet: expect.stringContaining('502 Bad Gateway'),
    });
  });

  it('turns invalid JSON in a success response into AcmeInvalidResponseError', async () => {
    ca.inject('/new-order', { status: 201, contentType: 'application/json', body: '{"status":"pending",', headers: { location: `${ca.baseUrl}/order/x` } });
    await expect(newOrder(ctx, account, { domains: ['a.example'] })).rejects.toMatchObject({ name: 'AcmeInvalidResponseError', status: 201 });
  });

  it('times out a slow CA with AcmeTimeoutError', async () => {
    ca.inject('/new-order', { status: 201, delayMs: 1500, body: '{}' });
    await expect(newOrder(ctx, account, { domains: ['a.example'] })).rejects.toMatchObject({ name: 'AcmeTimeoutError', timeoutMs: 1000 });
  });

  it('reports a refused connection as AcmeNetworkError', async () => {
    const dead = createAcmeContext({ directoryUrl: `https://127.0.0.1:${await freePort()}/directory` });
    await expect(getDirectory(dead)).rejects.toMatchObject({ name: 'AcmeNetworkError', code: 'ECONNREFUSED' });
  });

  it('refuses an order whose identifiers differ from the request', async () => {
    ca.overrideOrderIdentifiers(['a.example', 'evil.example']);
    await expect(newOrder(ctx, account, { domains: ['a.example'] })).rejects.toMatchObject({ name: 'AcmeIdentifierMismatchError' });
  });

  it('fails before sending when EAB is required and missing, with the explanation', async () => {
    const eabCa = await startFakeAcmeServer({ externalAccountRequired: true });
    try {
      const c = createAcmeContext({ directoryUrl: eabCa.directoryUrl, transport: eabCa.transport });
      const err = await newAccount(c, await generateAccountKey(), { termsOfServiceAgreed: true }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'AcmeExternalAccountRequiredError', type: 'urn:ietf:params:acme:error:externalAccountRequired' });
      expect((err as Error).message).toMatch(/External Account Binding/);
      expect(eabCa.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    } finally {
      await eabCa.stop();
    }
  });
});

describe('profiles and replaces', () => {
  it('sends a profile the directory lists; falls back from a preferred one it does not list; refuses a required one before ordering', async () => {
    await newOrder(ctx, account, { domains: ['a.example'], profile: 'shortlived' });
    expect(newOrderPayloads()[0]).toMatchObject({ profile: 'shortlived' });
    const preferred = await newOrder(ctx, account, { domains: ['a.example'], profile: 'tlsserver' });
    expect(preferred.omitted).toEqual(['profile']);
    expect(preferred.offeredProfiles).toEqual(['classic', 'shortlived']);
    expect(newOrderPayloads()[1]).not.toHaveProperty('profile');
    await expect(newOrder(ctx, account, { domains: ['a.example'], profile: 'tlsserver', profileRequired: true })).rejects.toMatchObject({
      name: 'AcmeProfileNotOfferedError',
      profile: 'tlsserver',
      offered: ['classic', 'shortlived'],
      message: expect.stringContaining('it offers: classic, shortlived'),
    });
    // No third order reached the CA.
    expect(newOrderPayloads()).toHaveLength(2);
  });

  it('sends replaces when the CA has renewalInfo', async () => {
    const { omitted } = await newOrder(ctx, account, { domains: ['a.example'], replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' });
    expect(omitted).toEqual([]);
    expect(newOrderPayloads()[0]).toMatchObject({ replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' });
  });

  it('leaves out profile and replaces on a CA without profiles or renewalInfo', async () => {
    const plain = await startFakeAcmeServer();
    try {
      const c = createAcmeContext({ directoryUrl: plain.directoryUrl, transport: plain.transport });
      const key = await generateAccountKey();
      const acct = { url: (await newAccount(c, key, {})).url, key };
      const { omitted } = await newOrder(c, acct, { domains: ['a.example'], profile: 'classic', replaces: 'x.y' });
      expect(omitted).toEqual(['profile', 'replaces']);
      await expect(newOrder(c, acct, { domains: ['a.example'], profile: 'classic', profileRequired: true })).rejects.toMatchObject({
        name: 'AcmeProfileNotOfferedError',
        message: expect.stringContaining('lists no profiles at all'),
      });
      const payload = plain.requests.find((r) => r.path === '/new-order')?.payload as Record<string, unknown>;
      expect(payload).not.toHaveProperty('profile');
      expect(payload).not.toHaveProperty('replaces');
    } finally {
      await plain.stop();
    }
  });

  it('on orderNotReady, finalizes again once the order turned ready, and rethrows while it is pending', async () => {
    const { order } = await newOrder(ctx, account, { domains: ['a.example'] });
    const csr = new Uint8Array([0x30, 0x00]);
    await expect(finalizeOrder(ctx, account, order, csr)).rejects.toMatchObject({ name: 'AcmeOrderNotReadyError' });
    // The authorizations become valid between the first finalize and the order poll.
    ca.inject(order.finalize.slice(ca.baseUrl.length), {
      status: 403,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:ietf:params:acme:error:orderNotReady', detail: 'not yet' }),
    });
    ca.setOrderStatus(order.url, 'ready');
    const finalized = await finalizeOrder(ctx, account, order, csr);
    expect(finalized.resource.status).toBe('processing');
    expect(ca.requests.filter((r) => r.path.startsWith('/finalize/')).length).toBe(3);
    // Already processing (an earlier attempt got through): returned as is, no error.
    const again = await finalizeOrder(ctx, account, order, csr);
    expect(again.resource.status).toBe('processing');
  });

  it('returns Retry-After with a polled order', async () => {
    const { order } = await newOrder(ctx, account, { domains: ['a.example'] });
    const polled = await getOrder(ctx, account, order.url);
    expect(polled).toMatchObject({ resource: { status: 'pending', url: order.url }, retryAfterSeconds: 3 });
  });
});

describe('renewal information (RFC 9773)', () => {
  it('returns the window, explanation URL and Retry-After', async () => {
    ca.setRenewalInfo('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE', {
      start: '2026-12-01T00:00:00Z',
      end: '2026-12-03T00:00:00Z',
      explanationURL: 'https://ca.example/why',
      retryAfter: '21600',
    });
    const info = await getRenewalInfo(ctx, 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
    expect(info).toEqual({
      suggestedWindow: { start: '2026-12-01T00:00:00Z', end: '2026-12-03T00:00:00Z' },
      explanationURL: 'https://ca.example/why',
      retryAfterSeconds: 21600,
    });
    expect(ca.requests.at(-1)).toMatchObject({ method: 'GET', path: '/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' });
  });

  it('defaults Retry-After to six hours and rejects malformed ids before sending', async () => {
    ca.setRenewalInfo('a.b', { start: '2026-12-01T00:00:00Z', end: '2026-12-03T00:00:00Z' });
    expect((await getRenewalInfo(ctx, 'a.b')).retryAfterSeconds).toBe(21600);
    await expect(getRenewalInfo(ctx, 'not an id')).rejects.toMatchObject({ name: 'AcmeClientError' });
  });
});
