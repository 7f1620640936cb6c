/**
 * The lifecycle core end to end against real components: Pebble (EAB) validating against BIND 9,
 * the rfc2136 provider with a certbot credentials file, and the filesystem store in certbot's
 * layout. Covers issuance, renewal, key reuse, failures with their events, and a crash after
 * every step followed by a retry that converges.
 */
import 'reflect-metadata';
import { lstat, mkdtemp, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyMatchesCertificate, parseCertificate } from '../../../shared/crypto/index.js';
import { resolveLineageSpec, type LineageSpecInput } from '../../../shared/config/index.js';
import { planRenewals, revokeCertificate } from '../../../shared/workflow/index.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { runIssuance, SimulatedCrash, STEP_NAMES, type StepName } from '../../support/run-issuance.js';
import { makeTestWorkflow, type TestWorkflow } from '../../../harness/workflow-deps.js';

let bind: BindHandle;
let pebble: PebbleHandle;
let wf: TestWorkflow;

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server, domainBlocklist: ['blocked.example.test'] });
});
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
});
beforeEach(async () => {
  wf = await makeTestWorkflow({ configDir: await mkdtemp(join(tmpdir(), 'acmeflow-wf-')), pebble, bind });
});

async function createLineage(name: string, overrides: Partial<LineageSpecInput> = {}) {
  const spec = resolveLineageSpec({
    name,
    domains: [`${name}.example.test`, `*.${name}.example.test`],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: pebble.directoryUrl, eabRef: 'pebble', termsOfServiceAgreed: true, contact: ['ops@example.test'] },
    dns: { provider: 'rfc2136', credentialsRef: wf.credentialsFile, resolvers: [bind.server] },
    ...overrides,
  });
  await wf.deps.store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
  return spec;
}

async function liveSerial(name: string): Promise<string | undefined> {
  const live = await wf.deps.store.getLive(name);
  return live ? parseCertificate(live.certPem).serialHex : undefined;
}

async function leftoverTxt(names: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const name of names) left.push(...(await bind.queryTxt(`_acme-challenge.${name}`)));
  return left;
}

async function pendingKeys(): Promise<string[]> {
  const dir = join(wf.configDir, 'keys', 'pending');
  const found: string[] = [];
  for (const lineage of await readdir(dir).catch(() => [] as string[])) {
    found.push(...(await readdir(join(dir, lineage))).map((f) => `${lineage}/${f}`));
  }
  return found;
}

describe('issuance', () => {
  it('issues a new certificate into certbot\u2019s layout and emits Issued then Deployable', async () => {
    await createLineage('first');
    const { state, failed } = await runIssuance({ lineage: 'first', owner: 'exec-1' }, wf.deps);
    expect(failed).toBeUndefined();
    expect(state.result).toMatchObject({ version: 1, domains: expect.arrayContaining(['first.example.test', '*.first.example.test']) });

    const live = join(wf.configDir, 'live', 'first');
    for (const file of ['cert', 'chain', 'fullchain', 'privkey']) {
      expect((await lstat(join(live, `${file}.pem`))).isSymbolicLink()).toBe(true);
      expect(await readlink(join(live, `${file}.pem`))).toBe(`../../archive/first/${file}1.pem`);
    }
    expect((await stat(join(wf.configDir, 'archive', 'first', 'privkey1.pem'))).mode & 0o777).toBe(0o600);
    const certPem = await readFile(join(live, 'cert.pem'), 'utf8');
    expect(await keyMatchesCertificate(await readFile(join(live, 'privkey.pem'), 'utf8'), certPem)).toBe(true);

    expect(wf.events.events.map((e) => e.detailType)).toEqual(['Certificate Issued', 'Certificate Deployable']);
    expect(wf.events.events[1]?.detail).toMatchObject({ lineage: 'first', version: 1, location: live, renewal: false });
    expect(await leftoverTxt(['first.example.test'])).toEqual([]);
    expect(await pendingKeys()).toEqual([]);
    const stored = (await wf.deps.store.getLineage('first'))!.lineage.state;
    expect(stored).toMatchObject({ currentVersion: 1, current: { serialHex: parseCertificate(certPem).serialHex } });
    expect(stored.inflight).toBeUndefined();
    expect(stored.failures).toBeUndefined();
    // The lock is free again.
    await expect(wf.deps.lock.acquire('first', { owner: 'someone-else', leaseSeconds: 60 })).resolves.toBeDefined();
    // No secret in the execution state, the events or the logs.
    const everything = JSON.stringify([state, wf.events.events, wf.logs]);
    expect(everything).not.toMatch(/PRIVATE KEY/);
    expect(everything).not.toContain(pebble.eab.hmacKey);
    expect(everything).not.toContain(bind.tsig.secret);
  });

  it('renews into version 2 with a new key, and reuses the key when asked', async () => {
    await createLineage('renew');
    await runIssuance({ lineage: 'renew', owner: 'a' }, wf.deps);
    const key1 = await wf.deps.keys.getCurrentCertificateKey('renew');
    const { state } = await runIssuance({ lineage: 'renew', owner: 'b', force: true }, wf.deps);
    expect(state.result?.version).toBe(2);
    expect(state.renewal).toBe(true);
    const key2 = await wf.deps.keys.getCurrentCertificateKey('renew');
    expect(key2).not.toBe(key1);
    expect(await readdir(join(wf.configDir, 'archive', 'renew'))).toEqual(
      expect.arrayContaining(['cert1.pem', 'cert2.pem', 'privkey1.pem', 'privkey2.pem']),
    );

    await createLineage('reuse', { reuseKey: true });
    await runIssuance({ lineage: 'reuse', owner: 'c' }, wf.deps);
    const reuse1 = await wf.deps.keys.getCurrentCertificateKey('reuse');
    await runIssuance({ lineage: 'reuse', owner: 'd', force: true }, wf.deps);
    expect(await wf.deps.keys.getCurrentCertificateKey('reuse')).toBe(reuse1);
  });

  it('stores nothing on a dry run and emits no deploy event', async () => {
    await createLineage('dry');
    const { state, failed } = await runIssuance({ lineage: 'dry', owner: 'dry-1', dryRun: true }, wf.deps);
    expect(failed).toBeUndefined();
    expect(state.result?.version).toBe(0);
    expect(await wf.deps.store.latestVersion('dry')).toBe(0);
    expect(await wf.deps.store.getLive('dry')).toBeUndefined();
    expect(wf.events.events).toEqual([]);
    expect(await pendingKeys()).toEqual([]);
    expect(await leftoverTxt(['dry.example.test'])).toEqual([]);
  });

  it('skips a lineage renewed by another run since it was planned (check, lock, check again)', async () => {
    await createLineage('race');
    await runIssuance({ lineage: 'race', owner: 'first' }, wf.deps);
    const { state } = await runIssuance({ lineage: 'race', owner: 'late', expectedVersion: 0 }, wf.deps);
    expect(state.skipped).toBe(true);
    expect(await wf.deps.store.latestVersion('race')).toBe(1);
  });
});

describe('failures', () => {
  it('a name the CA rejects: typed failure, explained event, backoff recorded, nothing left behind', async () => {
    await createLineage('blocked', { domains: ['blocked.example.test', 'ok.example.test'] });
    const { failed } = await runIssuance({ lineage: 'blocked', owner: 'x' }, wf.deps);
    expect(failed?.name).toBe('AcmeProblemError');
    const event = wf.events.ofType('Certificate Issuance Failed')[0];
    expect(event).toMatchObject({
      lineage: 'blocked',
      step: 'PrepareOrder',
      problem: { type: 'urn:ietf:params:acme:error:rejectedIdentifier' },
      explanation: { en: expect.stringContaining('refuses to issue'), ja: expect.any(String) },
      failureCount: 1,
    });
    const state = (await wf.deps.store.getLineage('blocked'))!.lineage.state;
    expect(state.failures).toMatchObject({ count: 1, lastError: { name: 'AcmeProblemError' } });
    expect(Date.parse(state.failures!.retryNotBefore) - Date.now()).toBeGreaterThan(50 * 60 * 1000);
    await expect(wf.deps.lock.acquire('blocked', { owner: 'y', leaseSeconds: 60 })).resolves.toBeDefined();
  });

  it('a record published where the CA does not look: validation fails per name, records cleaned', async () => {
    await createLineage('misdelegated', {
      domains: ['good.example.test', 'bad.example.test'],
      dns: {
        provider: 'rfc2136',
        credentialsRef: wf.credentialsFile,
        resolvers: [bind.server],
        delegations: { 'bad.example.test': '_acme-challenge.elsewhere.example.test' },
      },
    });
    const { failed } = await runIssuance({ lineage: 'misdelegated', owner: 'x' }, wf.deps);
    expect(failed?.name).toBe('AcmeValidationFailedError');
    const event = wf.events.ofType('Certificate Issuance Failed')[0]!;
    expect(event).toMatchObject({ step: 'PollAuthorizations' });
    const subproblems = (event as unknown as { problem: { subproblems: { identifier: { value: string } }[] } }).problem.subproblems;
    expect(subproblems.map((s) => s.identifier.value)).toEqual(['bad.example.test']);
    expect(await leftoverTxt(['good.example.test', 'bad.example.test'])).toEqual([]);
    expect(await bind.queryTxt('_acme-challenge.elsewhere.example.test')).toEqual([]);
    expect(await pendingKeys()).toEqual([]);
  });

  it('a publish that fails for one record removes the records it wrote (no partial records)', async () => {
    await createLineage('partial', {
      domains: ['partial.example.test', 'outside.invalid-zone.test'],
    });
    const { failed } = await runIssuance({ lineage: 'partial', owner: 'x' }, wf.deps);
    expect(failed?.name).toMatch(/Rfc2136ZoneError|Rfc2136/);
    expect(wf.events.ofType('Certificate Issuance Failed')[0]).toMatchObject({ step: 'PublishRecords' });
    expect(await leftoverTxt(['partial.example.test'])).toEqual([]);
  });
});

describe('crashes', () => {
  const crashPoints = STEP_NAMES.filter((s) => s !== 'EmitDeployable') as StepName[];
  it.each(crashPoints)('a crash after %s, retried from that step, converges to one new version', async (step) => {
    const name = `crash-${step.toLowerCase()}`;
    await createLineage(name);
    await runIssuance({ lineage: name, owner: 'setup' }, wf.deps);
    const oldSerial = await liveSerial(name);
    wf.events.clear();

    const crash = await runIssuance({ lineage: name, owner: 'exec', force: true }, wf.deps, { crashAfter: step }).catch((e: unknown) => e);
    expect(crash).toBeInstanceOf(SimulatedCrash);
    const promotedBeforeCrash = STEP_NAMES.indexOf(step) >= STEP_NAMES.indexOf('StoreCertificate');
    if (!promotedBeforeCrash) expect(await liveSerial(name)).toBe(oldSerial); // the old one is served until the new one is complete

    const { state, failed } = await runIssuance({ lineage: name, owner: 'exec', force: true }, wf.deps, {
      resume: { at: step, state: (crash as SimulatedCrash).input },
    });
    expect(failed).toBeUndefined();
    expect(await wf.deps.store.latestVersion(name)).toBe(2);
    expect(state.result?.version ?? 2).toBe(2);
    const newSerial = await liveSerial(name);
    expect(newSerial).not.toBe(oldSerial);
    const live = await wf.deps.store.getLive(name);
    expect(await keyMatchesCertificate((await wf.deps.keys.getCurrentCertificateKey(name))!, live!.certPem)).toBe(true);
    expect(await leftoverTxt([`${name}.example.test`])).toEqual([]);
    expect(await pendingKeys()).toEqual([]);
    expect((await wf.deps.store.getLineage(name))!.lineage.state.inflight).toBeUndefined();
    expect(wf.events.ofType('Certificate Deployable')).toHaveLength(1);
  });

  it('a run abandoned after publishing is cleaned up by the next run once its lease ran out', async () => {
    await createLineage('abandoned');
    let clock = Date.now();
    const timed = await makeTestWorkflow({ configDir: wf.configDir, pebble, bind, now: () => new Date(clock) });
    const crash = (await runIssuance({ lineage: 'abandoned', owner: 'crashed' }, timed.deps, { crashAfter: 'PublishRecords' }).catch((e: unknown) => e)) as SimulatedCrash;
    expect(crash).toBeInstanceOf(SimulatedCrash);
    expect(await leftoverTxt(['abandoned.example.test'])).toHaveLength(2); // the orphans exist
    // Another run while the lease holds is refused.
    const refused = await runIssuance({ lineage: 'abandoned', owner: 'other' }, timed.deps);
    expect(refused.failed?.name).toBe('LineageLockedError');
    clock += 2 * 3600 * 1000;
    const { failed, state } = await runIssuance({ lineage: 'abandoned', owner: 'next' }, timed.deps);
    expect(failed).toBeUndefined();
    expect(state.result?.version).toBe(1);
    expect(await leftoverTxt(['abandoned.example.test'])).toEqual([]);
    expect(timed.logs.some((l) => l.message.includes('did not finish'))).toBe(true);
  });

  it('a cleanup-only run skips while the run holding the lock is alive, and once its lease ran out removes what it left without ordering', async () => {
    await createLineage('cleanup');
    let clock = Date.now();
    const timed = await makeTestWorkflow({ configDir: wf.configDir, pebble, bind, now: () => new Date(clock) });
    const crash = (await runIssuance({ lineage: 'cleanup', owner: 'crashed' }, timed.deps, { crashAfter: 'PublishRecords' }).catch((e: unknown) => e)) as SimulatedCrash;
    expect(crash).toBeInstanceOf(SimulatedCrash);
    expect(await leftoverTxt(['cleanup.example.test'])).toHaveLength(2);
    // The lock is held (the lease runs): that run may be alive, so nothing is touched.
    const whileHeld = await runIssuance({ lineage: 'cleanup', owner: 'sweep-1', cleanupOnly: true }, timed.deps);
    expect(whileHeld.failed).toBeUndefined();
    expect(whileHeld.state.skipped).toBe(true);
    expect(await leftoverTxt(['cleanup.example.test'])).toHaveLength(2);
    expect((await timed.deps.store.getLineage('cleanup'))!.lineage.state.inflight?.owner).toBe('crashed');
    clock += 2 * 3600 * 1000;
    const after = await runIssuance({ lineage: 'cleanup', owner: 'sweep-2', cleanupOnly: true }, timed.deps);
    expect(after.failed).toBeUndefined();
    expect(after.state.skipped).toBe(true);
    expect(await leftoverTxt(['cleanup.example.test'])).toEqual([]);
    expect(await pendingKeys()).toEqual([]);
    const lineage = (await timed.deps.store.getLineage('cleanup'))!.lineage;
    expect(lineage.state.inflight).toBeUndefined();
    expect(lineage.state.currentVersion).toBe(0); // no certificate was ordered
    expect(await timed.deps.lock.acquire('cleanup', { owner: 'next', leaseSeconds: 60 })).toMatchObject({ owner: 'next' }); // the lock was released
  });
});

describe('renewal planning and revocation', () => {
  it('plans only what is due, and everything when forced', async () => {
    await createLineage('plan-new');
    await createLineage('plan-fresh');
    await runIssuance({ lineage: 'plan-fresh', owner: 'p' }, wf.deps);
    const plan = await planRenewals({}, wf.deps);
    expect(plan.due.map((d) => [d.lineage, d.reason])).toEqual([['plan-new', 'no-certificate']]);
    expect(plan.notDue.map((d) => d.lineage)).toEqual(['plan-fresh']);
    const forced = await planRenewals({ force: true }, wf.deps);
    expect(forced.due.map((d) => d.lineage)).toEqual(['plan-fresh', 'plan-new']);
    expect(forced.due.find((d) => d.lineage === 'plan-fresh')?.expectedVersion).toBe(1);
  });

  it('renews when renew_before_expiry exceeds the lifetime (the manual\u2019s 91 days)', async () => {
    await createLineage('always', { renewBeforeExpiry: '91 days' });
    await runIssuance({ lineage: 'always', owner: 'p' }, wf.deps);
    // Pebble's certificates live five years: a threshold longer than that renews on every run.
    await createLineage('longer', { renewBeforeExpiry: `${6 * 366} days` });
    await runIssuance({ lineage: 'longer', owner: 'p' }, wf.deps);
    const plan = await planRenewals({ lineages: ['always', 'longer'] }, wf.deps);
    expect(plan.due.map((d) => d.lineage)).toEqual(['longer']);
  });

  it('revokes with the account key, marks the lineage and emits the event; Pebble agrees', async () => {
    await createLineage('revoke');
    await runIssuance({ lineage: 'revoke', owner: 'p' }, wf.deps);
    const serial = (await liveSerial('revoke'))!;
    const result = await revokeCertificate({ lineage: 'revoke', reason: 'keyCompromise' }, wf.deps);
    expect(result.serialHex).toBe(serial);
    expect((await pebble.certStatusBySerial(serial)).status).toBe('Revoked');
    expect((await wf.deps.store.getLineage('revoke'))!.lineage.state.revoked).toMatchObject({ serialHex: serial, reason: 'keyCompromise' });
    expect(wf.events.ofType('Certificate Revoked')[0]).toMatchObject({ lineage: 'revoke', serialHex: serial });
    const plan = await planRenewals({ lineages: ['revoke'] }, wf.deps);
    expect(plan.due).toEqual([expect.objectContaining({ lineage: 'revoke', reason: 'revoked' })]);
  });

  it('falls back to the certificate key when the account is not authorized', async () => {
    await createLineage('fallback');
    await runIssuance({ lineage: 'fallback', owner: 'p' }, wf.deps);
    const serial = (await liveSerial('fallback'))!;
    // Another config dir: a different account on the same CA, holding a copy of the lineage and key.
    const other = await makeTestWorkflow({ configDir: await mkdtemp(join(tmpdir(), 'acmeflow-wf-other-')), pebble, bind });
    const stored = (await wf.deps.store.getLineage('fallback'))!.lineage;
    await other.deps.store.putLineage(stored, { expectedEtag: null });
    const live = (await wf.deps.store.getLive('fallback'))!;
    await other.deps.store.putVersion({ ...live, version: 1 });
    await other.deps.store.promoteVersion('fallback', 1);
    await other.deps.keys.putPendingCertificateKey('fallback', 't', (await wf.deps.keys.getCurrentCertificateKey('fallback'))!);
    await other.deps.keys.promoteCertificateKey('fallback', 't', 1, live.fullchainPem);
    await createAccountFor(other);
    await revokeCertificate({ lineage: 'fallback', reason: 'superseded' }, other.deps);
    expect((await pebble.certStatusBySerial(serial)).status).toBe('Revoked');
  });
});

/** Registers an account for a workflow's key store by running a throwaway issuance. */
async function createAccountFor(target: TestWorkflow): Promise<void> {
  const spec = resolveLineageSpec({
    name: 'account-maker',
    domains: ['account-maker.example.test'],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: pebble.directoryUrl, eabRef: 'pebble', termsOfServiceAgreed: true },
    dns: { provider: 'rfc2136', credentialsRef: target.credentialsFile, resolvers: [bind.server] },
  });
  await target.deps.store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
  const { failed } = await runIssuance({ lineage: 'account-maker', owner: 'm' }, target.deps);
  expect(failed).toBeUndefined();
}
