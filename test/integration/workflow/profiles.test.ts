/**
 * ACME profiles through prepareOrder (the step both runtimes run) against the real Pebble behind
 * harness/pebble-proxy.ts: a required profile the CA does not list fails before any order with the
 * explained AcmeProfileNotOfferedError; a preferred one falls back with a warning.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcmeProfileNotOfferedError, clearDirectoryCache, createAcmeContext, explainFailure, getAuthorization } from '../../../shared/acme/index.js';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { accountIdFor, loadAccount, prepareOrder, toStepError, type WorkflowDeps } from '../../../shared/workflow/index.js';
import { startFakeAcmeServer } from '../../../harness/fake-acme-server.js';
import { startProfiledPebble, type PebbleProxyHandle } from '../../../harness/pebble-proxy.js';
import { prepareOrderDeps } from '../../support/prepare-order-deps.js';

let ca: PebbleProxyHandle;
let deps: WorkflowDeps;
let warnings: string[];

beforeAll(async () => {
  ca = await startProfiledPebble({ profiles: { classic: 'the default', tlsserver: '45 days' }, pebble: { eabRequired: false } });
});
afterAll(() => ca?.stop());
beforeEach(async () => {
  clearDirectoryCache();
  warnings = [];
  const configDir = await mkdtemp(join(tmpdir(), 'acmeflow-profiles-'));
  deps = prepareOrderDeps(configDir, ca.transport, { info: () => {}, warn: (m) => warnings.push(m), error: () => {} });
});

async function lineage(name: string, ca2: Record<string, unknown>): Promise<void> {
  const spec = resolveLineageSpec({
    name,
    domains: [`${name}.example.test`],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: ca.directoryUrl, termsOfServiceAgreed: true, ...ca2 },
    dns: { provider: 'route53' },
  });
  await deps.store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
}

/** The `expires` of an authorization, read through the ACME layer with the account the step registered. */
async function fetchAuthzExpires(url: string, accountUrl: string): Promise<string> {
  const account = await loadAccount(deps, accountIdFor(ca.directoryUrl), accountUrl);
  const authz = await getAuthorization(createAcmeContext({ directoryUrl: ca.directoryUrl, transport: ca.transport }), account, url);
  return authz.resource.expires!;
}

describe('prepareOrder with profiles', () => {
  it('orders with a required profile the CA lists', async () => {
    await lineage('listed', { requiredProfile: 'tlsserver' });
    const state = await prepareOrder({ lineage: 'listed', owner: 'x' }, deps);
    expect(ca.orderProfiles()[state.order.url]).toBe('tlsserver');
    expect(warnings).toEqual([]);
    // The authorization's own `expires` (RFC 8555 §7.1.4) is the deadline CheckPropagation keeps to.
    const authz = await fetchAuthzExpires(state.authorizations[0]!.url, state.accountUrl);
    expect(state.authorizationDeadline).toBe(new Date(Date.parse(authz)).toISOString());
  });

  it('fails before any order when a required profile is not listed, with an explained error that crosses the Task boundary by name', async () => {
    await lineage('required', { requiredProfile: 'shortlived' });
    const before = Object.keys(ca.orderProfiles()).length;
    const err = await prepareOrder({ lineage: 'required', owner: 'x' }, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AcmeProfileNotOfferedError);
    expect(err).toMatchObject({ name: 'AcmeProfileNotOfferedError', profile: 'shortlived', offered: ['classic', 'tlsserver'] });
    expect(toStepError(err).name).toBe('AcmeProfileNotOfferedError');
    expect(explainFailure('AcmeProfileNotOfferedError').source).toBe('catalog');
    expect(Object.keys(ca.orderProfiles())).toHaveLength(before);
    // The lock was released: a later run is not blocked.
    await expect(deps.lock.acquire('required', { owner: 'y', leaseSeconds: 60 })).resolves.toBeDefined();
  });

  it('falls back from a preferred profile the CA does not list, with a warning naming what it offers', async () => {
    await lineage('preferred', { profile: 'shortlived' });
    const state = await prepareOrder({ lineage: 'preferred', owner: 'x' }, deps);
    expect(state.order.status).toBe('pending');
    expect(ca.orderProfiles()[state.order.url]).toBeUndefined();
    expect(warnings).toEqual(['The CA does not offer the preferred profile "shortlived" (it offers: classic, tlsserver); ordered with its default profile.']);
  });

  it('keeps a deadline of one hour from the order for a profile known to give one hour (Let\u2019s Encrypt shortlived), none without', async () => {
    // The fake CA's authorizations carry no `expires`: only the profile's known window sets a deadline.
    const fake = await startFakeAcmeServer({ profiles: { classic: 'the default', shortlived: 'six days' } });
    try {
      deps = prepareOrderDeps(await mkdtemp(join(tmpdir(), 'acmeflow-profiles-')), fake.transport, { info: () => {}, warn: () => {}, error: () => {} });
      for (const [name, profile] of [
        ['hour', { requiredProfile: 'shortlived' }],
        ['classic', { profile: 'classic' }],
      ] as const) {
        // The letsencrypt preset's knowledge of its profiles, at this CA's URL.
        const spec = resolveLineageSpec({
          name,
          domains: [`${name}.example.test`],
          keyType: 'ecdsa-p256',
          ca: { preset: 'letsencrypt', directoryUrl: fake.directoryUrl, ...profile },
          dns: { provider: 'route53' },
        });
        await deps.store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
      }
      const before = Date.now();
      const hour = await prepareOrder({ lineage: 'hour', owner: 'x' }, deps);
      const deadline = Date.parse(hour.authorizationDeadline!);
      expect(deadline).toBeGreaterThanOrEqual(before + 3_600_000);
      expect(deadline).toBeLessThanOrEqual(Date.now() + 3_600_000);
      const classic = await prepareOrder({ lineage: 'classic', owner: 'x' }, deps);
      expect(classic.authorizationDeadline).toBeUndefined();
    } finally {
      await fake.stop();
    }
  });
});
