/**
 * Probes past the rest of the suite (issue 16): a CA (the fake ACME server over HTTPS, and Pebble
 * rejecting half of all nonces) and a DNS API that misbehave on purpose. Each case failed before its
 * fix:
 *
 * - an answer that never ends (a directory, a signed request's answer, a DNS API's) is cut at a cap
 *   with a typed error, and the process stays small;
 * - plain `http:` is refused: `--server http://…` exits 2 before any request, and an https
 *   directory listing `http:` endpoints gets nothing sent to them (RFC 8555 §6.1);
 * - a CA's `detail` holding escape sequences or megabytes is shown and stored sanitised and cut;
 * - Pebble rejecting 50 % of nonces: every one of many issuances succeeds (RFC 8555 §6.5);
 * - a refused `replaces` (RFC 9773 §5) is dropped and the order placed again once, except for a rate limit;
 * - unknown challenge types (`dns-persist-01`) and junk entries in an authorization are ignored.
 */
import 'reflect-metadata';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clearDirectoryCache,
  createAcmeContext,
  generateAccountKey,
  getAuthorization,
  getDirectory,
  newAccount,
  newOrder,
  type Account,
  type AcmeContext,
} from '../../shared/acme/index.js';
import { resolveLineageSpec } from '../../shared/config/index.js';
import { CloudflareDnsProvider, cloudflareConfigSchema } from '../../shared/dns/providers/cloudflare/index.js';
import type { HttpTransport } from '../../shared/http/index.js';
import { prepareOrder, toStepError, type WorkflowDeps } from '../../shared/workflow/index.js';
import { issueWithAcmeLayer } from '../../harness/acme-flow.js';
import { startFakeAcmeServer, type FakeAcmeServer } from '../../harness/fake-acme-server.js';
import { startPebble } from '../../harness/pebble.js';
import { streamFiller } from '../../harness/stream-filler.js';
import { prepareOrderDeps } from '../support/prepare-order-deps.js';
import type { LogLine } from '../../harness/workflow-deps.js';
import { CliRunner } from './support/cli-process.js';
import { trustingFetch } from './support/fault-proxy.js';
import { keepingLogger, LONG, tally } from './support/harness.js';
import { ReportSection } from './support/report.js';

const report = new ReportSection('probes');
let ca: FakeAcmeServer;
let work: string;

beforeAll(async () => {
  ca = await startFakeAcmeServer();
  work = await mkdtemp(join(tmpdir(), 'acmeflow-probes-'));
});
afterAll(async () => {
  report.write();
  await ca?.stop();
});
beforeEach(() => clearDirectoryCache());

const MB = 1024 * 1024;
/** Control characters a terminal acts on (ESC, CSI, CR, BS, BEL, ...) and the bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the probe looks for exactly these characters.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** What the error of a failed promise is called (the promise must fail). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  if (!outcome) throw new Error('expected a failure, the call succeeded');
  return outcome;
}

async function registered(server: FakeAcmeServer): Promise<{ ctx: AcmeContext; account: Account }> {
  const ctx = createAcmeContext({ directoryUrl: server.directoryUrl, transport: server.transport, timeoutMs: 20_000 });
  const key = await generateAccountKey();
  const created = await newAccount(ctx, key, { termsOfServiceAgreed: true });
  return { ctx, account: { url: created.url, key } };
}

/** A plain HTTP listener that records every request and answers with `answer`. */
async function listener(answer: (res: import('node:http').ServerResponse) => void): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    answer(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('item 3: answers that never end are cut at a cap', () => {
  const ENDLESS = 512 * MB;

  it('a directory streaming 512 MB fails with AcmeResponseTooLargeError, the process staying small', async () => {
    const rssBefore = process.memoryUsage().rss;
    ca.inject('/directory', { status: 200, contentType: 'application/json', body: '{"newNonce":"', streamBytes: ENDLESS });
    const ctx = createAcmeContext({ directoryUrl: ca.directoryUrl, transport: ca.transport, timeoutMs: 20_000 });
    const err = await failure(getDirectory(ctx));
    const grewMb = (process.memoryUsage().rss - rssBefore) / MB;
    report.add({
      fault: 'directory answer streaming 512 MB',
      runs: 1,
      outcome: `typed error ${err.name}; the process grew ${Math.max(0, grewMb).toFixed(0)} MB`,
      lost: err.name === 'AcmeResponseTooLargeError' && grewMb < 200 ? 'nothing' : `${err.name}: ${err.message.slice(0, 200)}`,
    });
    expect(err.name).toBe('AcmeResponseTooLargeError');
    expect(grewMb).toBeLessThan(200);
  }, 60_000);

  it('a signed request whose answer streams 512 MB fails with AcmeResponseTooLargeError', async () => {
    const { ctx, account } = await registered(ca);
    ca.inject('/new-order', { status: 201, contentType: 'application/json', body: '{"status":"pending","x":"', streamBytes: ENDLESS });
    const err = await failure(newOrder(ctx, account, { domains: ['big.example'] }));
    report.add({
      fault: 'newOrder answer streaming 512 MB',
      runs: 1,
      outcome: `typed error ${err.name}`,
      lost: err.name === 'AcmeResponseTooLargeError' ? 'nothing' : `${err.name}: ${err.message.slice(0, 200)}`,
    });
    expect(err.name).toBe('AcmeResponseTooLargeError');
  }, 60_000);

  it('a DNS API (Cloudflare) answer streaming 512 MB fails with a typed Cloudflare error', async () => {
    const api = await listener((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"success":true,"result":[{"id":"');
      streamFiller(res, ENDLESS);
    });
    try {
      const provider = new CloudflareDnsProvider(cloudflareConfigSchema.parse({}), { baseUrl: `${api.url}/client/v4`, apiToken: 'probe-token', env: {} });
      const err = await failure(provider.upsertTxt({ name: '_acme-challenge.big.example', values: ['v'] }));
      report.add({
        fault: 'Cloudflare API answer streaming 512 MB',
        runs: 1,
        outcome: `typed error ${err.name} (cause ${(err.cause as Error | undefined)?.name})`,
        lost: err.name === 'CloudflareApiError' ? 'nothing' : `${err.name}: ${err.message.slice(0, 200)}`,
      });
      expect(err.name).toBe('CloudflareApiError');
      expect((err.cause as Error | undefined)?.name).toBe('HttpResponseTooLargeError');
    } finally {
      await close(api.server);
    }
  }, 60_000);
});

describe('item 4: plain http is refused (RFC 8555 §6.1)', () => {
  it('--server http://… exits 2 before any request', async () => {
    const plain = await listener((res) => res.end('{}'));
    try {
      const cli = new CliRunner({ home: work });
      const configDir = await mkdtemp(join(work, 'http-server-'));
      const run = await cli.run(['register', '--agree-tos', '-m', 'ops@example.test', '--server', `${plain.url}/directory`, '--config-dir', configDir]);
      report.add({
        fault: '`acmeflow register --server http://…`',
        runs: 1,
        outcome: `exit ${run.code}; ${plain.seen.length} requests reached the server`,
        lost: run.code === 2 && plain.seen.length === 0 ? 'nothing' : `exit ${run.code}, ${plain.seen.length} requests: ${run.stderr.slice(0, 200)}`,
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/https/);
      expect(plain.seen).toEqual([]);
    } finally {
      await close(plain.server);
    }
  });

  it('the ACME layer refuses an http: directory URL before any request', async () => {
    const plain = await listener((res) => res.end('{}'));
    try {
      const err = await failure(getDirectory(createAcmeContext({ directoryUrl: `${plain.url}/directory` })));
      report.add({
        fault: 'ACME context with an http: directory URL',
        runs: 1,
        outcome: `typed error ${err.name}; ${plain.seen.length} requests reached the server`,
        lost: err.name === 'AcmeInsecureUrlError' && plain.seen.length === 0 ? 'nothing' : `${err.name}, ${plain.seen.length} requests`,
      });
      expect(err.name).toBe('AcmeInsecureUrlError');
      expect(plain.seen).toEqual([]);
    } finally {
      await close(plain.server);
    }
  });

  it('an https directory listing http: endpoints gets no signed request sent in clear text', async () => {
    const plain = await listener((res) => res.end('{}'));
    const listing = await startFakeAcmeServer({ directoryOverrides: { newAccount: `${plain.url}/new-account`, newOrder: `${plain.url}/new-order` } });
    try {
      const ctx = createAcmeContext({ directoryUrl: listing.directoryUrl, transport: listing.transport });
      const err = await failure(newAccount(ctx, await generateAccountKey(), { termsOfServiceAgreed: true }));
      report.add({
        fault: 'https directory listing http: newAccount and newOrder',
        runs: 1,
        outcome: `typed error ${err.name}; ${plain.seen.length} requests sent in clear text`,
        lost: err.name === 'AcmeInsecureUrlError' && plain.seen.length === 0 ? 'nothing' : `${err.name}, ${plain.seen.length} requests in clear text`,
      });
      expect(err.name).toBe('AcmeInsecureUrlError');
      expect(plain.seen).toEqual([]);
    } finally {
      await listing.stop();
      await close(plain.server);
    }
  });

  it('an http: URL the CA hands back later (an order\'s Location) is refused when used', async () => {
    const plain = await listener((res) => res.end('{}'));
    try {
      const { ctx, account } = await registered(ca);
      const order = await newOrder(ctx, account, { domains: ['plain.example'] });
      const err = await failure(getAuthorization(ctx, account, `${plain.url}/authz/1`));
      expect(order.order.url).toMatch(/^https:/);
      report.add({
        fault: 'an http: authorization URL',
        runs: 1,
        outcome: `typed error ${err.name}; ${plain.seen.length} requests sent in clear text`,
        lost: err.name === 'AcmeInsecureUrlError' && plain.seen.length === 0 ? 'nothing' : `${err.name}, ${plain.seen.length} requests`,
      });
      expect(err.name).toBe('AcmeInsecureUrlError');
      expect(plain.seen).toEqual([]);
    } finally {
      await close(plain.server);
    }
  });
});

describe('item 5: the CA\'s text is shown and stored sanitised and cut', () => {
  const FORGED = 'Order refused\u001b[2J\u001b[H\r\nSuccessfully received certificate.\u0007\u202e';
  const hostileProblem = (size: number) =>
    JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: `${FORGED}${'x'.repeat(size)}`, subproblems: [{ type: 'urn:ietf:params:acme:error:caa', detail: FORGED, identifier: { type: 'dns', value: `evil\u001b[31m.example` } }] });

  it('an error thrown by the ACME layer carries no control character and a capped detail', async () => {
    const { ctx, account } = await registered(ca);
    ca.inject('/new-order', { status: 400, contentType: 'application/problem+json', body: hostileProblem(200_000) });
    const err = (await failure(newOrder(ctx, account, { domains: ['hostile.example'] }))) as Error & { problem?: { detail?: string }; toJSON?: () => unknown };
    // What the failure path stores (execution state, the failed event) is the step error's JSON.
    const stored = toStepError(err).message;
    const clean = !CONTROL.test(err.message) && !CONTROL.test(JSON.stringify(JSON.parse(stored))) && !CONTROL.test(err.problem?.detail ?? '');
    report.add({
      fault: 'problem detail of 200 KB with escape sequences (ACME layer error and the failure state it becomes)',
      runs: 1,
      outcome: `${err.name}; message ${err.message.length} characters, stored problem ${stored.length} characters`,
      lost: clean && err.message.length < 3000 && stored.length < 5000 ? 'nothing' : 'control characters or an uncapped detail kept',
    });
    expect(err.name).toBe('AcmeProblemError');
    expect(err.message).not.toMatch(CONTROL);
    expect(err.problem?.detail).not.toMatch(CONTROL);
    expect(stored).not.toMatch(/\\u001b|\\r|\\n|\\u0007|\u202e/);
    expect(err.message.length).toBeLessThan(3000);
    expect(stored.length).toBeLessThan(5000);
  });

  it('the command prints it without escape sequences, forged lines or megabytes', async () => {
    ca.inject('/new-account', { status: 400, contentType: 'application/problem+json', body: hostileProblem(200_000) });
    const cli = new CliRunner({ home: work, fetch: trustingFetch(new Agent({ connect: { ca: ca.caCertPem } })) });
    const configDir = await mkdtemp(join(work, 'hostile-'));
    const run = await cli.run(['register', '--agree-tos', '-m', 'ops@example.test', '--server', ca.directoryUrl, '--config-dir', configDir]);
    const printed = run.stdout + run.stderr;
    const forgedLine = printed.split('\n').some((line) => line.startsWith('Successfully received certificate'));
    const controls = printed.replace(/\n/g, '').match(new RegExp(CONTROL.source, 'g')) ?? [];
    report.add({
      fault: 'problem detail of 200 KB with escape sequences (printed by `acmeflow register`)',
      runs: 1,
      outcome: `exit ${run.code}; ${printed.length} characters printed, ${controls.length} control characters, forged line: ${forgedLine ? 'yes' : 'no'}`,
      lost: run.code === 1 && controls.length === 0 && !forgedLine && printed.length < 20_000 ? 'nothing' : 'the CA text reached the terminal raw',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/malformed/);
    expect(controls).toEqual([]);
    expect(forgedLine).toBe(false);
    expect(printed.length).toBeLessThan(20_000);
  });

  it('a challenge error in an authorization is sanitised where it is read', async () => {
    const hostile = await startFakeAcmeServer({
      extraChallenges: [{ type: 'http-01', url: 'https://127.0.0.1:1/chall/x', status: 'invalid', token: 't', error: JSON.parse(hostileProblem(50_000)) as unknown }],
    });
    try {
      const { ctx, account } = await registered(hostile);
      const { order } = await newOrder(ctx, account, { domains: ['chall.example'] });
      const authz = (await getAuthorization(ctx, account, order.authorizations[0] as string)).resource;
      const error = authz.challenges.find((c) => c.type === 'http-01')?.error;
      const text = JSON.stringify(error ?? null);
      report.add({
        fault: 'challenge error of 50 KB with escape sequences (authorization)',
        runs: 1,
        outcome: `stored error ${text.length} characters`,
        lost: error && !/\\u001b|\\r|\\n/.test(text) && text.length < 5000 ? 'nothing' : 'the challenge error kept raw',
      });
      expect(error?.detail).toBeDefined();
      expect(text).not.toMatch(/\\u001b|\\r|\\n|\\u0007/);
      expect(text.length).toBeLessThan(5000);
    } finally {
      await hostile.stop();
    }
  });
});

describe('item 10: Pebble rejecting half of all nonces (PEBBLE_WFE_NONCEREJECT=50)', () => {
  it('every one of many issuances succeeds', async () => {
    const pebble = await startPebble({ env: { PEBBLE_WFE_NONCEREJECT: '50' } });
    try {
      let badNonces = 0;
      let posts = 0;
      const counting: HttpTransport = async (request) => {
        const res = await pebble.transport(request);
        if (request.method === 'POST') posts += 1;
        if (res.status === 400 && res.body.includes('badNonce')) badNonces += 1;
        return res;
      };
      const ctx = createAcmeContext({ directoryUrl: pebble.directoryUrl, transport: counting });
      const key = await generateAccountKey();
      const created = await newAccount(ctx, key, { termsOfServiceAgreed: true, externalAccountBinding: pebble.eab });
      const account = { url: created.url, key };
      const dns = {
        publish: async (name: string, values: string[]) => {
          for (const v of values) await pebble.challtestsrv!.addTxt(name, v);
        },
        unpublish: (name: string) => pebble.challtestsrv!.clearTxt(name),
      };
      const runs = LONG ? 50 : 20;
      const labels: string[] = [];
      for (let run = 1; run <= runs; run++) {
        const outcome = await issueWithAcmeLayer(ctx, account, [`nonce${run}.example.test`], dns, { maxSleepMs: 50 }).then(
          () => 'valid certificate',
          (err: Error) => `${err.name}: ${err.message.slice(0, 120)}`,
        );
        labels.push(outcome);
      }
      const failed = labels.filter((l) => l !== 'valid certificate');
      report.add({
        fault: 'Pebble with PEBBLE_WFE_NONCEREJECT=50, issuances through the ACME layer alone (no state machine retries)',
        runs,
        outcome: `${tally(labels.map((l) => l.split(':')[0] as string))}; ${badNonces} of ${posts} signed requests answered badNonce and were re-signed`,
        lost: failed.length === 0 ? 'nothing' : failed.join('; '),
      });
      expect(failed).toEqual([]);
      expect(badNonces).toBeGreaterThan(0);
    } finally {
      await pebble.stop();
    }
  }, 300_000);
});

describe('item 11: a refused replaces (RFC 9773 §5) is dropped once', () => {
  const ARI_ID = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';

  async function renewing(server: FakeAcmeServer, logs: LogLine[]): Promise<WorkflowDeps> {
    const configDir = await mkdtemp(join(work, 'replaces-'));
    const deps = prepareOrderDeps(configDir, server.transport, keepingLogger(logs));
    const spec = resolveLineageSpec({ name: 'renewing', domains: ['renewing.example'], keyType: 'ecdsa-p256', ca: { directoryUrl: server.directoryUrl }, dns: { provider: 'route53' } });
    await deps.store.putLineage(
      {
        spec,
        state: {
          currentVersion: 1,
          current: { serialHex: '87654321', notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-04-01T00:00:00Z', domains: [...spec.domains], ariCertificateId: ARI_ID },
        },
      },
      { expectedEtag: null },
    );
    return deps;
  }

  const REFUSALS = [
    { how: "Let's Encrypt: malformed, the certificate belongs to another account", status: 400, type: 'malformed', detail: 'unable to find specified certificate to replace: certificate belongs to another account' },
    { how: 'ZeroSSL: 401 unauthorized', status: 401, type: 'unauthorized', detail: 'replaces not allowed' },
    { how: 'a CA refusing the field outright: 400 malformed', status: 400, type: 'malformed', detail: 'Unknown field "replaces"' },
  ] as const;

  for (const refusal of REFUSALS) {
    it(`${refusal.how}: ordered again without replaces, and why recorded`, async () => {
      const server = await startFakeAcmeServer({ renewalInfo: true, refuseReplaces: refusal });
      try {
        const logs: LogLine[] = [];
        const deps = await renewing(server, logs);
        const state = await prepareOrder({ lineage: 'renewing', owner: 'probe' }, deps).catch((err: Error) => err);
        const orders = server.requests.filter((r) => r.path === '/new-order').map((r) => r.payload as Record<string, unknown>);
        const ok = !(state instanceof Error) && state.order.status === 'pending' && state.replaces === undefined && Boolean(state.replacesRefused);
        report.add({
          fault: `refused replaces — ${refusal.how}`,
          runs: 1,
          outcome: state instanceof Error ? `typed error ${state.name}` : `order ${state.order.status} after ${orders.length} newOrder requests; recorded: ${state.replacesRefused ?? 'nothing'}`,
          lost: ok ? 'nothing' : 'the renewal failed on a refused replaces',
        });
        expect(state).not.toBeInstanceOf(Error);
        if (state instanceof Error) return;
        expect(state.order.status).toBe('pending');
        expect(state.replaces).toBeUndefined();
        expect(state.replacesRefused).toContain(refusal.type);
        // The refused order with replaces, then the one without.
        expect(orders).toHaveLength(2);
        expect(orders[0]).toHaveProperty('replaces', ARI_ID);
        expect(orders[1]).not.toHaveProperty('replaces');
        expect(logs.some((l) => l.level === 'warn' && /replaces/.test(l.message))).toBe(true);
      } finally {
        await server.stop();
      }
    });
  }

  it('a rate limit is not a refusal of replaces: no second order', async () => {
    const server = await startFakeAcmeServer({ renewalInfo: true, refuseReplaces: { status: 429, type: 'rateLimited', detail: 'too many new orders' } });
    try {
      const deps = await renewing(server, []);
      const err = await failure(prepareOrder({ lineage: 'renewing', owner: 'probe' }, deps));
      const orders = server.requests.filter((r) => r.path === '/new-order');
      report.add({
        fault: 'newOrder with replaces answered rateLimited',
        runs: 1,
        outcome: `typed error ${err.name}; ${orders.length} newOrder request`,
        lost: err.name === 'AcmeRateLimitedError' && orders.length === 1 ? 'nothing' : 'ordered again despite the rate limit',
      });
      expect(err.name).toBe('AcmeRateLimitedError');
      expect(orders).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('replaces is not sent when the directory has no renewalInfo', async () => {
    const server = await startFakeAcmeServer({ refuseReplaces: { status: 400, type: 'malformed', detail: 'no ARI here' } });
    try {
      const deps = await renewing(server, []);
      const state = await prepareOrder({ lineage: 'renewing', owner: 'probe' }, deps);
      const orders = server.requests.filter((r) => r.path === '/new-order').map((r) => r.payload as Record<string, unknown>);
      report.add({ fault: 'renewal at a CA without renewalInfo', runs: 1, outcome: `${orders.length} newOrder request, replaces ${orders[0] && 'replaces' in orders[0] ? 'sent' : 'not sent'}`, lost: state.replacesRefused === undefined && orders.length === 1 ? 'nothing' : 'replaces sent' });
      expect(orders).toHaveLength(1);
      expect(orders[0]).not.toHaveProperty('replaces');
      expect(state.replacesRefused).toBeUndefined();
    } finally {
      await server.stop();
    }
  });
});

describe('item 12: unknown challenge types are ignored', () => {
  it('an authorization offering dns-persist-01 and junk entries still yields the dns-01 record', async () => {
    const server = await startFakeAcmeServer({
      extraChallenges: [
        { type: 'dns-persist-01', url: 'https://127.0.0.1:1/chall/persist', status: 'pending', 'issuer-domain-names': ['ca.example'] },
        { type: 'future-99', status: 'pending' },
        null as unknown as Record<string, unknown>,
        'not a challenge' as unknown as Record<string, unknown>,
      ],
    });
    try {
      const { ctx, account } = await registered(server);
      const { order } = await newOrder(ctx, account, { domains: ['persist.example'] });
      const result = await getAuthorization(ctx, account, order.authorizations[0] as string).then(
        (polled) => polled.resource.challenges.map((c) => c.type).join(', '),
        (err: Error) => err,
      );
      report.add({
        fault: "authorization offering dns-persist-01, a type without URL, null and a string",
        runs: 1,
        outcome: result instanceof Error ? `${result.name}: ${result.message.slice(0, 120)}` : `challenges kept: ${result}`,
        lost: result === 'dns-01' ? 'nothing' : 'the authorization was not usable',
      });
      expect(result).toBe('dns-01');
    } finally {
      await server.stop();
    }
  });
});
