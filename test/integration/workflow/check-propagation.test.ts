/**
 * The CheckPropagation step against real BIND 9 servers: a cause waiting cannot fix ends the wait
 * at once (servers that are not authoritative; servers that never answer, after a minute), the
 * lineage's own timeout applies, and every error and progress line names the CNAME chain; the
 * order's authorization window is never waited past; on Route 53 it waits for INSYNC, then for the
 * authoritative servers, each round a Wait state and never a sleep.
 */
import { mkdtemp } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { checkPropagation as checkOnServers } from '../../../shared/dns/propagation.js';
import { DnsNotAuthoritativeError, DnsPropagationTimeoutError, DnsServersUnreachableError } from '../../../shared/dns/errors.js';
import { createProvider } from '../../../shared/dns/providers/index.js';
import { AuthorizationWindowClosingError, checkPropagation, type IssuanceState, type WorkflowDeps } from '../../../shared/workflow/index.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startRoute53Fake } from '../../../harness/route53-fake.js';
import { prepareOrderDeps } from '../../support/prepare-order-deps.js';

let served: BindHandle;
let stranger: BindHandle;
let silentServer: string;
let closeSilent: () => void;
const T0 = Date.parse('2026-06-01T00:00:00Z');

beforeAll(async () => {
  [served, stranger] = await Promise.all([startBind({ zones: ['example.test', 'validation.test'] }), startBind({ zones: ['other.test'] })]);
  // A UDP socket that reads and never answers: a server that has gone silent.
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  silentServer = `127.0.0.1:${socket.address().port}`;
  closeSilent = () => socket.close();
}, 60_000);
afterAll(async () => {
  closeSilent?.();
  await Promise.all([served?.stop(), stranger?.stop()]);
});

const logged: { message: string; fields?: Record<string, unknown> }[] = [];

async function depsFor(resolvers: string[], nowMs: number, propagationTimeoutSeconds?: number): Promise<WorkflowDeps> {
  const base = prepareOrderDeps(await mkdtemp(join(tmpdir(), 'acmeflow-check-')), undefined as never, {
    info: (message, fields) => logged.push({ message, ...(fields ? { fields } : {}) }),
    warn: () => {},
    error: () => {},
  });
  const spec = resolveLineageSpec({
    name: 'cname.example.test',
    domains: ['cname.example.test'],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: 'https://ca.example/dir' },
    dns: { provider: 'rfc2136', resolvers, ...(propagationTimeoutSeconds ? { propagationTimeoutSeconds } : {}) },
  });
  await base.store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
  return {
    ...base,
    dnsProvider: async () => ({ code: 'rfc2136', upsertTxt: async () => ({ provider: 'rfc2136' }), deleteTxt: async () => {} }),
    checkPropagation: (records, options) => checkOnServers(records, { ...options, timeoutMs: 300 }),
    now: () => new Date(nowMs),
  };
}

/** The state after PublishRecords: one delegated record, its first check `secondsAgo` in the past. */
function state(secondsAgo?: number): IssuanceState {
  return {
    lineage: 'cname.example.test',
    dryRun: false,
    force: false,
    renewal: false,
    skipped: false,
    directoryUrl: 'https://ca.example/dir',
    accountId: 'a',
    accountUrl: 'https://ca.example/acct/1',
    order: { url: 'https://ca.example/order/1', finalize: 'https://ca.example/finalize/1', status: 'pending' },
    authorizations: [
      {
        url: 'https://ca.example/authz/1',
        identifier: 'cname.example.test',
        status: 'pending',
        recordName: '_acme-challenge.cname.example.test',
        effectiveName: 'cname.validation.test',
        cnameChain: ['cname.validation.test'],
        value: 'v1',
      },
    ],
    records: [{ name: 'cname.validation.test', values: ['v1'], ttl: 60 }],
    changes: [],
    keyToken: 'k',
    startedAt: new Date(T0).toISOString(),
    ...(secondsAgo === undefined ? {} : { poll: { done: false, waitSeconds: 1, attempt: 3, since: new Date(T0 - secondsAgo * 1000).toISOString() } }),
  };
}

const CHAIN = '_acme-challenge.cname.example.test (CNAME -> cname.validation.test)';

describe('CheckPropagation ends the wait when waiting cannot help', () => {
  it('servers that are not authoritative for the zone: at the first check, naming them and the CNAME chain', async () => {
    const err = await checkPropagation(state(), await depsFor([stranger.server], T0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsNotAuthoritativeError);
    expect((err as Error).message).toContain(stranger.server);
    expect((err as Error).message).toContain(CHAIN);
  });

  it('servers that never answer: waits through the first minute, then stops with the cause', async () => {
    const first = await checkPropagation(state(), await depsFor([silentServer], T0));
    expect(first.poll).toMatchObject({ done: false });
    const err = await checkPropagation(state(61), await depsFor([silentServer], T0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsServersUnreachableError);
    expect((err as Error).message).toContain(`no answer from any server asked (${silentServer}) for 61 s`);
    expect((err as Error).message).toContain(CHAIN);
  });

  it('values absent on the right server: waits, logging what is missing where, until the lineage\u2019s own timeout', async () => {
    logged.length = 0;
    const waiting = await checkPropagation(state(5), await depsFor([served.server], T0, 30));
    expect(waiting.poll).toMatchObject({ done: false });
    expect(logged).toEqual([
      { message: `Waiting for DNS: ${CHAIN} on ${served.server}`, fields: { lineage: 'cname.example.test', propagation: { elapsedSeconds: 5, timeoutSeconds: 30, missing: 1 } } },
    ]);
    const err = await checkPropagation(state(31), await depsFor([served.server], T0, 30)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsPropagationTimeoutError);
    expect((err as Error).message).toBe(
      `TXT values still missing on ${served.server} after 30 s (record ${CHAIN}). Fix: check that the provider publishes to the zone the nameservers serve (delegation, split-horizon), or wait longer: --dns-propagation-timeout SECONDS (dns.propagationTimeoutSeconds of the lineage)`,
    );
  });
});

describe('the authorization window (one hour with some profiles)', () => {
  const withDeadline = (secondsAgo: number, deadlineInSeconds: number): IssuanceState => ({
    ...state(secondsAgo),
    startedAt: new Date(T0 - secondsAgo * 1000).toISOString(),
    authorizationDeadline: new Date(T0 + deadlineInSeconds * 1000).toISOString(),
  });

  it('waits while the CA still has time to validate after the records appear', async () => {
    const next = await checkPropagation(withDeadline(300, 600), await depsFor([served.server], T0, 3600));
    expect(next.poll).toMatchObject({ done: false });
  });

  it('stops before the authorizations expire unanswered, saying when and what is missing', async () => {
    const err = await checkPropagation(withDeadline(3_500, 100), await depsFor([served.server], T0, 7200)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizationWindowClosingError);
    expect((err as Error).message).toContain(`expire at ${new Date(T0 + 100_000).toISOString()}, 3500 s after the order was created`);
    expect((err as Error).message).toContain(`${CHAIN} on ${served.server}`);
  });
});

describe('the Route 53 path', () => {
  it('waits for INSYNC, then asks the authoritative servers; each round returns at once with a Wait', async () => {
    const fake = await startRoute53Fake({ zones: [{ name: 'validation.test' }], pendingPolls: 2 });
    try {
      const provider = createProvider(
        'route53',
        {},
        {
          clientConfig: { endpoint: fake.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'not-a-secret' } },
        },
      );
      const change = await provider.upsertTxt({ name: 'cname.validation.test', values: ['v1'], ttl: 60 });
      const asked: string[][] = [];
      const base = await depsFor([fake.dnsServer], T0);
      const deps: WorkflowDeps = {
        ...base,
        dnsProvider: async () => provider,
        checkPropagation: (records, options) => {
          asked.push([...(options.resolvers ?? [])]);
          return checkOnServers(records, { ...options, timeoutMs: 1000 });
        },
      };
      let current: IssuanceState = { ...state(), changes: [change] };
      const rounds: boolean[] = [];
      for (let round = 0; round < 5 && !current.poll?.done; round++) {
        current = await checkPropagation(current, deps);
        rounds.push(current.poll!.done);
        if (!current.poll!.done) expect(current.poll!.waitSeconds).toBeGreaterThanOrEqual(1);
      }
      // Two PENDING answers (the servers not asked meanwhile), then INSYNC and the servers asked once.
      expect(rounds).toEqual([false, false, true]);
      expect(asked).toEqual([[fake.dnsServer]]);
      expect(fake.calls.filter((c) => c.operation === 'GetChange')).toHaveLength(3);
    } finally {
      await fake.stop();
    }
  });
});
