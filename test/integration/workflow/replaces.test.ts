/**
 * RFC 9773 `replaces` on renewal, through prepareOrder against the fake CA (Pebble 2.4 has no
 * ARI): sent when the CA offers renewalInfo, and the order retried without it on alreadyReplaced.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearDirectoryCache } from '../../../shared/acme/index.js';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { prepareOrder, type WorkflowDeps } from '../../../shared/workflow/index.js';
import { startFakeAcmeServer, type FakeAcmeServer } from '../../../harness/fake-acme-server.js';
import { prepareOrderDeps } from '../../support/prepare-order-deps.js';

let ca: FakeAcmeServer;
let deps: WorkflowDeps;
const ARI_ID = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';

beforeAll(async () => {
  ca = await startFakeAcmeServer({ renewalInfo: true });
});
afterAll(() => ca.stop());
beforeEach(async () => {
  clearDirectoryCache();
  const configDir = await mkdtemp(join(tmpdir(), 'acmeflow-replaces-'));
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  deps = prepareOrderDeps(configDir, ca.transport, silent);
  const spec = resolveLineageSpec({
    name: 'renewing',
    domains: ['renewing.example', '*.renewing.example'],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: ca.directoryUrl },
    dns: { provider: 'route53' },
  });
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
  ca.requests.length = 0;
});

const orderPayloads = () => ca.requests.filter((r) => r.path === '/new-order').map((r) => r.payload as Record<string, unknown>);

describe('replaces (RFC 9773 §5)', () => {
  it('is sent on renewal when the CA offers renewalInfo', async () => {
    const state = await prepareOrder({ lineage: 'renewing', owner: 'x' }, deps);
    expect(state.replaces).toBe(ARI_ID);
    expect(orderPayloads()).toEqual([expect.objectContaining({ replaces: ARI_ID })]);
    expect(state.records).toEqual([{ name: '_acme-challenge.renewing.example', values: [expect.any(String), expect.any(String)], ttl: 60 }]);
  });

  it('is dropped and the order retried once when the CA says alreadyReplaced', async () => {
    ca.inject('/new-order', {
      status: 409,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:ietf:params:acme:error:alreadyReplaced', detail: 'already replaced' }),
    });
    const state = await prepareOrder({ lineage: 'renewing', owner: 'x' }, deps);
    expect(state.replaces).toBeUndefined();
    const payloads = orderPayloads();
    expect(payloads).toHaveLength(2); // the refused one (its payload not recorded by the fault path), then the retry
    expect(payloads[1]).toBeDefined();
    expect(payloads[1]).not.toHaveProperty('replaces');
    expect(state.order.status).toBe('pending');
  });

  it('is not sent on a dry run', async () => {
    const state = await prepareOrder({ lineage: 'renewing', owner: 'x', dryRun: true }, deps);
    expect(state.replaces).toBeUndefined();
    expect(orderPayloads()[0]).not.toHaveProperty('replaces');
  });
});
