import { describe, expect, it } from 'vitest';
import {
  LINEAGES_PER_SWEEP,
  makeHandler,
  parseSpecsFile,
  type SweepStart,
  type SyncLineagesDeps,
  type SyncLineagesEvent,
} from '../../functions/sync-lineages/handler.js';
import { specsFileContent } from '../../infra/lineages/lineage-sync.js';
import { resolveLineageSpec, type LineageSpec } from '../../shared/config/index.js';
import { LineageConflictError, type Lineage, type StoredLineage } from '../../shared/store/index.js';

function spec(name: string, overrides: Record<string, unknown> = {}): LineageSpec {
  return resolveLineageSpec({ domains: [name], keyType: 'ecdsa-p256', ca: { preset: 'letsencrypt' }, dns: { provider: 'route53' }, ...overrides });
}

/** An in-memory store with etags and the conditional-write rules of CertificateStore. */
class MemoryStore {
  readonly lineages = new Map<string, { lineage: Lineage; etag: string }>();
  readonly deleted: string[] = [];
  conflictsToThrow = 0;
  #n = 0;

  async getLineage(name: string): Promise<StoredLineage | undefined> {
    const found = this.lineages.get(name);
    return found ? { lineage: structuredClone(found.lineage), etag: found.etag } : undefined;
  }

  async putLineage(lineage: Lineage, options: { expectedEtag?: string | null } = {}): Promise<{ etag: string }> {
    const current = this.lineages.get(lineage.spec.name);
    if (this.conflictsToThrow > 0) {
      this.conflictsToThrow--;
      throw new LineageConflictError(lineage.spec.name);
    }
    if (options.expectedEtag === null ? current !== undefined : options.expectedEtag !== undefined && current?.etag !== options.expectedEtag) {
      throw new LineageConflictError(lineage.spec.name);
    }
    const etag = `"${++this.#n}"`;
    this.lineages.set(lineage.spec.name, { lineage: structuredClone(lineage), etag });
    return { etag };
  }

  async deleteLineage(name: string): Promise<void> {
    this.deleted.push(name);
    this.lineages.delete(name);
  }
}

function harness() {
  const store = new MemoryStore();
  const assets = new Map<string, string>();
  let managed: string[] | undefined;
  const sweeps: { name: string; input: SweepStart }[] = [];
  const deps: SyncLineagesDeps = {
    store,
    readSpecs: async (_bucket, key) => parseSpecsFile(assets.get(key) ?? ''),
    readManagedNames: async () => managed,
    writeManagedNames: async (names) => {
      managed = [...names];
    },
    startSweep: async (name, input) => {
      sweeps.push({ name, input });
    },
    log: { info: () => {}, warn: () => {} },
  };
  const onEvent = makeHandler(async () => deps);
  let request = 0;
  const deploy = (specs: LineageSpec[], type: 'Create' | 'Update' = 'Update', secretRefs?: Record<string, string>) => {
    const key = `${++request}.json`;
    assets.set(key, specsFileContent(specs));
    const event: SyncLineagesEvent = {
      RequestType: type,
      RequestId: `req-${request}`,
      ResourceProperties: { SpecsBucket: 'assets', SpecsKey: key, ...(secretRefs ? { SecretRefs: secretRefs } : {}) },
    };
    return onEvent(event);
  };
  return { store, sweeps, deploy, onEvent, managed: () => managed };
}

describe('sync-lineages custom resource', () => {
  it('writes the deploy-time ARN of a secret in place of its placeholder', async () => {
    const h = harness();
    const placeholder = 'acmeflow-secret-ref:caAccounts.jprs.eabSecret';
    const arn = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:IssuerEab-AbCdEf';
    await h.deploy([spec('a.example', { ca: { preset: 'jprs', eabRef: placeholder } }), spec('b.example', { ca: { preset: 'letsencrypt', eabRef: 'named/eab' } })], 'Create', {
      [placeholder]: arn,
    });
    expect(h.store.lineages.get('a.example')?.lineage.spec.ca.eabRef).toBe(arn);
    expect(h.store.lineages.get('b.example')?.lineage.spec.ca.eabRef).toBe('named/eab');
  });

  it('stores new lineages and sweeps them at once, forced', async () => {
    const h = harness();
    const result = await h.deploy([spec('a.example'), spec('b.example')], 'Create');
    expect(result).toEqual({ PhysicalResourceId: 'acmeflow-lineages', Data: { Created: '2', Changed: '0', Removed: '0', Sweeps: 'deploy-req-1-force-0' } });
    expect(h.sweeps).toEqual([{ name: 'deploy-req-1-force-0', input: { lineages: ['a.example', 'b.example'], force: true } }]);
    expect(h.store.lineages.get('a.example')?.lineage).toEqual({ spec: spec('a.example'), state: { currentVersion: 0 } });
    expect(h.managed()).toEqual(['a.example', 'b.example']);
  });

  it('starts nothing when the list did not change', async () => {
    const h = harness();
    await h.deploy([spec('a.example')], 'Create');
    h.sweeps.length = 0;
    const result = await h.deploy([spec('a.example')]);
    expect(h.sweeps).toEqual([]);
    expect(result.Data).toMatchObject({ Created: '0', Changed: '0', Sweeps: '' });
  });

  it('replaces a changed spec keeping the state; sweeps without force unless the certificate must change', async () => {
    const h = harness();
    await h.deploy([spec('a.example'), spec('b.example')], 'Create');
    for (const name of ['a.example', 'b.example']) {
      const stored = h.store.lineages.get(name)!;
      stored.lineage = { ...stored.lineage, state: { currentVersion: 3, issuedAt: '2026-01-01T00:00:00.000Z' } };
    }
    h.sweeps.length = 0;
    await h.deploy([spec('a.example', { deployDelay: 300 }), spec('b.example', { domains: ['b.example', 'www.b.example'], name: 'b.example' })]);
    expect(h.sweeps).toEqual([
      { name: 'deploy-req-2-force-0', input: { lineages: ['b.example'], force: true } },
      { name: 'deploy-req-2-changed-0', input: { lineages: ['a.example'], force: false } },
    ]);
    expect(h.store.lineages.get('a.example')?.lineage).toMatchObject({ spec: { deployDelaySeconds: 300 }, state: { currentVersion: 3, issuedAt: '2026-01-01T00:00:00.000Z' } });
    expect(h.store.lineages.get('b.example')?.lineage.spec.domains).toEqual(['b.example', 'www.b.example']);
  });

  it('records a key store move, without a reissue, when a certificate\u2019s keyStore changed', async () => {
    const h = harness();
    await h.deploy([spec('a.example', { keyStore: 's3' }), spec('new.example', { keyStore: 's3' })], 'Create');
    const stored = h.store.lineages.get('a.example')!;
    stored.lineage = { ...stored.lineage, state: { currentVersion: 3 } };
    h.sweeps.length = 0;
    await h.deploy([spec('a.example', { keyStore: 'secretsManager' }), spec('new.example', { keyStore: 'secretsManager' })]);
    expect(h.sweeps).toEqual([{ name: 'deploy-req-2-changed-0', input: { lineages: ['a.example', 'new.example'], force: false } }]);
    expect(h.store.lineages.get('a.example')?.lineage).toMatchObject({
      spec: { keyStore: 'secretsManager' },
      state: { currentVersion: 3, keyStoreMove: { from: 's3', to: 'secretsManager', atVersion: 3 } },
    });
    // Nothing issued yet: nothing to move.
    expect(h.store.lineages.get('new.example')?.lineage.state.keyStoreMove).toBeUndefined();
  });

  it('renews at once a lineage whose preferred or required profile changed: its certificate is of another kind', async () => {
    const h = harness();
    await h.deploy([spec('p.example'), spec('r.example', { ca: { preset: 'letsencrypt', profile: 'tlsserver' } })], 'Create');
    h.sweeps.length = 0;
    await h.deploy([spec('p.example', { ca: { preset: 'letsencrypt', profile: 'shortlived' } }), spec('r.example', { ca: { preset: 'letsencrypt', requiredProfile: 'tlsserver' } })]);
    expect(h.sweeps).toEqual([{ name: 'deploy-req-2-force-0', input: { lineages: ['p.example', 'r.example'], force: true } }]);
  });

  it('deletes the lineages a previous deploy wrote and this one dropped, and only those', async () => {
    const h = harness();
    await h.store.putLineage({ spec: spec('cli.example'), state: { currentVersion: 1 } }, { expectedEtag: null });
    await h.deploy([spec('a.example'), spec('b.example')], 'Create');
    await h.deploy([spec('a.example')]);
    expect(h.store.deleted).toEqual(['b.example']);
    expect([...h.store.lineages.keys()].sort()).toEqual(['a.example', 'cli.example']);
    expect(h.managed()).toEqual(['a.example']);
  });

  it('rereads and retries when a running issuance wrote the lineage in between', async () => {
    const h = harness();
    await h.deploy([spec('a.example')], 'Create');
    h.store.conflictsToThrow = 2;
    await h.deploy([spec('a.example', { reuseKey: true })]);
    expect(h.store.lineages.get('a.example')?.lineage.spec.reuseKey).toBe(true);
  });

  it('splits a large change into sweeps of at most LINEAGES_PER_SWEEP lineages', async () => {
    const h = harness();
    const specs = Array.from({ length: LINEAGES_PER_SWEEP * 2 + 5 }, (_, i) => spec(`host${String(i).padStart(4, '0')}.example`));
    await h.deploy(specs, 'Create');
    expect(h.sweeps.map((x) => [x.name, x.input.lineages.length, x.input.force])).toEqual([
      ['deploy-req-1-force-0', LINEAGES_PER_SWEEP, true],
      ['deploy-req-1-force-1', LINEAGES_PER_SWEEP, true],
      ['deploy-req-1-force-2', 5, true],
    ]);
  });

  it('leaves the lineages in place when the stack is deleted', async () => {
    const h = harness();
    await h.deploy([spec('a.example')], 'Create');
    const result = await h.onEvent({ RequestType: 'Delete', RequestId: 'r', PhysicalResourceId: 'acmeflow-lineages', ResourceProperties: { SpecsBucket: 'x', SpecsKey: 'y' } });
    expect(result).toEqual({ PhysicalResourceId: 'acmeflow-lineages' });
    expect(h.store.lineages.has('a.example')).toBe(true);
    expect(h.store.deleted).toEqual([]);
  });

  it('refuses a specs file that is not format 1', () => {
    expect(() => parseSpecsFile('{"specs":[]}')).toThrow(/format 1/);
    expect(() => parseSpecsFile('{"format":1,"specs":[{"name":"../x"}]}')).toThrow(/valid name/);
  });
});
