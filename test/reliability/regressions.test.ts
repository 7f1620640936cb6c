/**
 * Unit tests of the fixes the reliability suite led to, each pinned to the smallest piece that
 * failed (the suite's own runs show the end-to-end effect):
 *
 * 1. cleanupRecords kept the in-flight marker's promise only when it could remove every record:
 *    a record it could not delete was forgotten (TXT left behind for good).
 * 2. ensureAccount registered one account per concurrent first issuance at a CA, each overwriting
 *    the stored key of the others (a sweep over new lineages failed with "JWS verification error").
 * 3. withGuardFile waited out a guard left by a killed process for 10 s, longer than its own 5 s
 *    timeout (an immediate rerun failed with GuardTimeoutError).
 * 4. A process killed while writing a key left the key in a temporary file forever.
 * 5. A process killed between archiving a certificate version and promoting its key left that
 *    version without its key; the rerun discarded the key.
 * 6. ensureAccount stored a new account key before reading the EAB credentials, so broken ones left
 *    an unregistered key behind.
 * 7. StoreCertificate retried (the state machine retries LineageConflictError, a transient error)
 *    after it had promoted the key and switched live/ but not yet written the lineage state failed
 *    with CertificateMismatchError: with the pending key gone it only looked at the current key when
 *    the lineage state already named the certificate.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAcmeContext } from '../../shared/acme/index.js';
import { resolveLineageSpec } from '../../shared/config/index.js';
import { generateCertificateKey, parseCertificate } from '../../shared/crypto/index.js';
import type { DnsProvider, TxtRecord } from '../../shared/dns/index.js';
import { MemoryEventPublisher } from '../../shared/events/memory/index.js';
import { FilesystemCertificateStore, FilesystemKeyStore, FilesystemLineageLock, GuardTimeoutError } from '../../shared/store/filesystem/index.js';
import { LineageConflictError } from '../../shared/store/index.js';
import { withGuardFile } from '../../shared/store/filesystem/guard-file.js';
import { accountIdFor, cleanupRecords, ensureAccount, pollOrder, recoverAbandonedRun, storeCertificate, type IssuanceState, type WorkflowDeps } from '../../shared/workflow/index.js';
import { makeSelfSignedCertificate } from '../support/certs.js';
import { startBind } from '../../harness/bind.js';
import { startFakeAcmeServer } from '../../harness/fake-acme-server.js';
import { startPebble } from '../../harness/pebble.js';
import { runIssuance, SimulatedCrash } from '../support/run-issuance.js';
import { makeTestWorkflow } from '../../harness/workflow-deps.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Filesystem deps with a DNS provider that records deletions and fails them on demand. */
async function fsDeps(options: { failDeletes?: boolean } = {}) {
  const configDir = await mkdtemp(join(tmpdir(), 'acmeflow-regression-'));
  const deleted: TxtRecord[] = [];
  const provider: DnsProvider = {
    code: 'fake',
    upsertTxt: async () => ({ provider: 'fake' }),
    deleteTxt: async (record) => {
      if (options.failDeletes) throw Object.assign(new Error('Rate exceeded'), { name: 'Route53ThrottledError' });
      deleted.push(record);
    },
  } as DnsProvider;
  const deps = {
    store: new FilesystemCertificateStore({ configDir }),
    keys: new FilesystemKeyStore({ configDir }),
    lock: new FilesystemLineageLock({ configDir }),
    events: new MemoryEventPublisher(),
    acme: () => {
      throw new Error('no CA here');
    },
    dnsProvider: async () => provider,
    resolveEab: async () => ({ kid: 'kid', hmacKey: 'c2VjcmV0' }),
    checkPropagation: async () => ({ ready: true, missing: [], checkedServers: [] }),
    locate: (lineage: string) => ({ location: join(configDir, 'live', lineage), keyLocation: join(configDir, 'live', lineage, 'privkey.pem') }),
    log: quiet,
    now: () => new Date(),
    random: Math.random,
  } as unknown as WorkflowDeps;
  return { configDir, deps, deleted };
}

const spec = (name: string) =>
  resolveLineageSpec({ name, domains: [`${name}.example.test`], keyType: 'ecdsa-p256', ca: { directoryUrl: 'https://ca.example.test/dir' }, dns: { provider: 'fake' } });
const RECORD = { name: '_acme-challenge.x.example.test', values: ['v1'], ttl: 60 };

describe('1. cleanupRecords and the in-flight marker', () => {
  async function prepared(failDeletes: boolean) {
    const { deps } = await fsDeps({ failDeletes });
    const lock = await deps.lock.acquire('x', { owner: 'run-1', leaseSeconds: 60 });
    const inflight = { owner: 'run-1', orderUrl: 'https://ca.example.test/order/1', keyToken: 'tok', records: [RECORD], startedAt: new Date().toISOString() };
    await deps.store.putLineage({ spec: spec('x'), state: { currentVersion: 0, inflight } }, { expectedEtag: null });
    const state = {
      lineage: 'x',
      dryRun: false,
      force: false,
      renewal: false,
      directoryUrl: 'https://ca.example.test/dir',
      startedAt: inflight.startedAt,
      skipped: false,
      accountId: 'a',
      accountUrl: 'https://ca.example.test/acct/1',
      order: { url: inflight.orderUrl, finalize: 'f', status: 'pending' },
      authorizations: [],
      records: [RECORD],
      changes: [],
      keyToken: 'tok',
      lock: { lineage: lock.lineage, owner: lock.owner, expiresAt: lock.expiresAt, token: lock.token },
    } as unknown as IssuanceState;
    return { deps, state };
  }

  it('keeps the marker, naming the record, when a record could not be removed; still releases the lock', async () => {
    const { deps, state } = await prepared(true);
    const out = await cleanupRecords(state, deps);
    expect(out.cleanupErrors).toHaveLength(1);
    expect((await deps.store.getLineage('x'))!.lineage.state.inflight?.records).toEqual([RECORD]);
    await expect(deps.lock.acquire('x', { owner: 'run-2', leaseSeconds: 60 })).resolves.toBeDefined();
  });

  it('clears the marker when every record is gone', async () => {
    const { deps, state } = await prepared(false);
    const out = await cleanupRecords(state, deps);
    expect(out.cleanupErrors).toEqual([]);
    expect((await deps.store.getLineage('x'))!.lineage.state.inflight).toBeUndefined();
  });
});

describe('2. ensureAccount under concurrency', () => {
  it('registers one account for eight concurrent first issuances at one CA', async () => {
    const ca = await startFakeAcmeServer();
    try {
      const { deps } = await fsDeps();
      const ctx = () => createAcmeContext({ directoryUrl: ca.directoryUrl, transport: ca.transport });
      const accounts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          ensureAccount(ctx(), deps, { directoryUrl: ca.directoryUrl, termsOfServiceAgreed: true, registrationLock: { lock: deps.lock, owner: `run-${i}` } }),
        ),
      );
      expect(new Set(accounts.map((a) => a.url)).size).toBe(1);
      const stored = await deps.keys.getAccountKey(accountIdFor(ca.directoryUrl));
      expect(stored?.accountUrl).toBe(accounts[0]?.url);
      const created = ca.requests.filter((r) => r.path === '/new-account' && !(r.payload as { onlyReturnExisting?: boolean } | undefined)?.onlyReturnExisting);
      expect(created).toHaveLength(1);
    } finally {
      await ca.stop();
    }
  });

  it('6. reads the EAB credentials before storing a new key: broken ones leave nothing behind', async () => {
    const ca = await startFakeAcmeServer({ externalAccountRequired: true });
    try {
      const { deps } = await fsDeps();
      const broken = { ...deps, resolveEab: async () => Promise.reject(Object.assign(new Error('does not hold JSON'), { name: 'EabCredentialsError' })) };
      await expect(ensureAccount(createAcmeContext({ directoryUrl: ca.directoryUrl, transport: ca.transport }), broken, { directoryUrl: ca.directoryUrl, eabRef: '/etc/eab.json', registrationLock: { lock: deps.lock, owner: 'run-6' } })).rejects.toMatchObject({
        name: 'EabCredentialsError',
      });
      expect(await deps.keys.getAccountKey(accountIdFor(ca.directoryUrl))).toBeUndefined();
      expect(ca.requests).toEqual([]);
    } finally {
      await ca.stop();
    }
  });
});

describe('3. withGuardFile and a guard left by a killed process', () => {
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '0']);
    await once(child, 'exit');
    return child.pid as number;
  }

  it('removes the guard of a process that is gone at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'acmeflow-guard-'));
    const path = join(dir, 'x.conf.guard');
    await writeFile(path, `${JSON.stringify({ pid: await deadPid(), host: hostname(), token: 'dead' })}\n`);
    const started = Date.now();
    await expect(withGuardFile(path, async () => 'ran', { timeoutMs: 1_000, staleMs: 60_000 })).resolves.toBe('ran');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('still waits for a guard whose process runs (or of another host)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'acmeflow-guard-'));
    const alive = join(dir, 'a.conf.guard');
    await writeFile(alive, `${JSON.stringify({ pid: process.ppid, host: hostname(), token: 'alive' })}\n`);
    await expect(withGuardFile(alive, async () => 'ran', { timeoutMs: 200, staleMs: 60_000 })).rejects.toBeInstanceOf(GuardTimeoutError);
    const remote = join(dir, 'r.conf.guard');
    await writeFile(remote, `${JSON.stringify({ pid: await deadPid(), host: 'another-host', token: 'remote' })}\n`);
    await expect(withGuardFile(remote, async () => 'ran', { timeoutMs: 200, staleMs: 60_000 })).rejects.toBeInstanceOf(GuardTimeoutError);
  });
});

describe('4. temporary copies of a key left by a killed writer', () => {
  it('go when the pending key is discarded or the key is promoted', async () => {
    const { configDir, deps } = await fsDeps();
    const { privateKeyPem } = await generateCertificateKey('ecdsa-p256');
    await deps.keys.putPendingCertificateKey('x', 'tok', privateKeyPem);
    const pendingDir = join(configDir, 'keys', 'pending', 'x');
    const [pendingFile] = await readdir(pendingDir);
    await writeFile(join(pendingDir, `.${pendingFile}.0000-dead.tmp`), privateKeyPem, { mode: 0o600 });
    await deps.keys.discardPendingCertificateKey('x', 'tok');
    expect(await readdir(pendingDir)).toEqual([]);

    await deps.keys.putPendingCertificateKey('x', 'tok2', privateKeyPem);
    const archive = join(configDir, 'archive', 'x');
    await deps.store.putLineage({ spec: spec('x'), state: { currentVersion: 0 } }, { expectedEtag: null });
    await mkdir(archive, { recursive: true });
    await writeFile(join(archive, '.privkey1.pem.0000-dead.tmp'), privateKeyPem, { mode: 0o600 });
    await deps.keys.promoteCertificateKey('x', 'tok2', 1, '');
    expect((await readdir(archive)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('5. recoverAbandonedRun after a kill inside StoreCertificate', () => {
  it('promotes the pending key into the archived version, switches live/ and the lineage to it, then forgets the run', async () => {
    const { configDir, deps, deleted } = await fsDeps();
    const cert = await makeSelfSignedCertificate({ domains: ['x.example.test'] });
    const info = parseCertificate(cert.certPem);
    const orderUrl = 'https://ca.example.test/order/9';
    await deps.keys.putPendingCertificateKey('x', 'tok', cert.privateKeyPem);
    const inflight = { owner: 'killed', orderUrl, keyToken: 'tok', records: [RECORD], startedAt: new Date().toISOString() };
    await deps.store.putLineage({ spec: spec('x'), state: { currentVersion: 0, inflight } }, { expectedEtag: null });
    // What the killed run had done: the archive version, complete on the certificate side.
    await deps.store.putVersion({
      lineage: 'x',
      version: 1,
      certPem: cert.certPem,
      chainPem: cert.certPem,
      fullchainPem: cert.certPem,
      meta: { serialHex: info.serialHex, notBefore: info.notBefore, notAfter: info.notAfter, domains: [...info.domains], orderUrl, issuedAt: new Date().toISOString(), keyType: 'ecdsa-p256' },
    });
    await recoverAbandonedRun('x', inflight, spec('x').dns, deps);
    expect(deleted).toEqual([{ name: RECORD.name, values: RECORD.values }]);
    expect(await readFile(join(configDir, 'archive', 'x', 'privkey1.pem'), 'utf8')).toBe(cert.privateKeyPem);
    for (const kind of ['cert', 'chain', 'fullchain', 'privkey']) expect(await readlink(join(configDir, 'live', 'x', `${kind}.pem`))).toBe(`../../archive/x/${kind}1.pem`);
    const state = (await deps.store.getLineage('x'))!.lineage.state;
    expect(state).toMatchObject({ currentVersion: 1, current: { serialHex: info.serialHex } });
    expect(state.inflight).toBeUndefined();
    expect(await readdir(join(configDir, 'keys', 'pending', 'x'))).toEqual([]);
  });

  it('leaves an archived version of another order alone, and drops the run\u2019s pending key', async () => {
    const { configDir, deps } = await fsDeps();
    const cert = await makeSelfSignedCertificate({ domains: ['x.example.test'] });
    const info = parseCertificate(cert.certPem);
    await deps.keys.putPendingCertificateKey('x', 'tok', (await generateCertificateKey('ecdsa-p256')).privateKeyPem);
    const inflight = { owner: 'killed', orderUrl: 'https://ca.example.test/order/10', keyToken: 'tok', records: [], startedAt: new Date().toISOString() };
    await deps.store.putLineage({ spec: spec('x'), state: { currentVersion: 0, inflight } }, { expectedEtag: null });
    await deps.store.putVersion({
      lineage: 'x',
      version: 1,
      certPem: cert.certPem,
      chainPem: cert.certPem,
      fullchainPem: cert.certPem,
      meta: { serialHex: info.serialHex, notBefore: info.notBefore, notAfter: info.notAfter, domains: [...info.domains], orderUrl: 'https://ca.example.test/order/other', issuedAt: new Date().toISOString(), keyType: 'ecdsa-p256' },
    });
    await recoverAbandonedRun('x', inflight, spec('x').dns, deps);
    expect(await readdir(join(configDir, 'archive', 'x'))).not.toContain('privkey1.pem');
    expect((await deps.store.getLineage('x'))!.lineage.state).toEqual({ currentVersion: 0 });
    expect(await readdir(join(configDir, 'keys', 'pending', 'x'))).toEqual([]);
  });
});

/**
 * A lineage issued once, then a forced renewal run up to the certificate being ready: the state
 * StoreCertificate is given (against Pebble and BIND, stopped by `stop`).
 */
async function renewalReadyToStore(name: string) {
  const bind = await startBind({ zones: ['example.test'] });
  const pebble = await startPebble({ dnsServer: bind.server });
  const stop = async () => {
    await pebble.stop();
    await bind.stop();
  };
  try {
    const configDir = await mkdtemp(join(tmpdir(), 'acmeflow-regression-store-'));
    const wf = await makeTestWorkflow({ configDir, pebble, bind });
    const lineageSpec = resolveLineageSpec({
      name,
      domains: [`${name}.example.test`],
      keyType: 'ecdsa-p256',
      ca: { directoryUrl: pebble.directoryUrl, eabRef: 'pebble', termsOfServiceAgreed: true },
      dns: { provider: 'rfc2136', credentialsRef: wf.credentialsFile, resolvers: [bind.server] },
    });
    await wf.deps.store.putLineage({ spec: lineageSpec, state: { currentVersion: 0 } }, { expectedEtag: null });
    expect((await runIssuance({ lineage: name, owner: 'first' }, wf.deps, { waitScale: 0.02 })).failed).toBeUndefined();
    const crash = (await runIssuance({ lineage: name, owner: 'exec', force: true }, wf.deps, { crashAfter: 'PollOrder', waitScale: 0.02 }).catch((e: unknown) => e)) as SimulatedCrash;
    expect(crash).toBeInstanceOf(SimulatedCrash);
    let ready = await pollOrder(crash.input as IssuanceState, wf.deps);
    while (ready.poll?.done === false) ready = await pollOrder(ready, wf.deps);
    return { wf, bind, ready, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `deps` whose certificate store fails the first call of `method` with `error`, then behaves. */
function storeFailingOnce(deps: WorkflowDeps, method: 'putLineage' | 'promoteVersion', error: Error): WorkflowDeps {
  let failures = 1;
  const real = deps.store[method].bind(deps.store) as (...args: unknown[]) => Promise<unknown>;
  const failing = async (...args: unknown[]) => {
    if (failures-- > 0) throw error;
    return real(...args);
  };
  // A proxy, not a prototype copy: the store's methods read its private fields through `this`.
  const store = new Proxy(deps.store, {
    get(target, prop) {
      if (prop === method) return failing;
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ...deps, store };
}

describe('7. StoreCertificate retried after it switched live/, before the lineage state was written', () => {
  it('finishes on the retry: the current key matches the certificate, so it was promoted already', async () => {
    const { wf, bind, ready, stop } = await renewalReadyToStore('retry');
    try {
      // The first attempt: the version is archived, its key promoted, live/ switched; then the conf write loses a race.
      const racing = storeFailingOnce(wf.deps, 'putLineage', new LineageConflictError('retry'));
      await expect(storeCertificate(ready, racing)).rejects.toBeInstanceOf(LineageConflictError);
      expect((await wf.deps.store.getLive('retry'))?.version).toBe(2);
      // The retry of the same step with the same input (what the state machine's Retry does).
      const stored = await storeCertificate(ready, wf.deps);
      expect(stored.result?.version).toBe(2);
      expect((await wf.deps.store.getLineage('retry'))!.lineage.state.currentVersion).toBe(2);
      await cleanupRecords(stored, wf.deps);
      expect(await bind.queryTxt('_acme-challenge.retry.example.test')).toEqual([]);
    } finally {
      await stop();
    }
  }, 120_000);
});

describe('8. StoreCertificate retried after it archived the key, before live/ switched', () => {
  it('finishes on the retry: the key promoted for the certificate\u2019s version is found, though live/ still serves the old one', async () => {
    const { wf, ready, stop } = await renewalReadyToStore('gap');
    try {
      // The first attempt: version 2 archived and its key promoted (archive/gap/privkey2.pem), then
      // the switch of live/ fails (a full disk, a kill).
      const failing = storeFailingOnce(wf.deps, 'promoteVersion', new Error('ENOSPC: no space left on device'));
      await expect(storeCertificate(ready, failing)).rejects.toThrow('ENOSPC');
      expect((await wf.deps.store.getLive('gap'))?.version).toBe(1);
      expect(await wf.deps.keys.getPendingCertificateKey('gap', ready.keyToken)).toBeUndefined();
      // The retry with the same input: the current key is version 1's, the certificate version 2's.
      const stored = await storeCertificate(ready, wf.deps);
      expect(stored.result?.version).toBe(2);
      expect((await wf.deps.store.getLive('gap'))?.version).toBe(2);
      expect(await wf.deps.keys.getCurrentCertificateKey('gap')).toBe(await wf.deps.keys.getCertificateKey?.('gap', 2));
      await cleanupRecords(stored, wf.deps);
    } finally {
      await stop();
    }
  }, 120_000);
});
