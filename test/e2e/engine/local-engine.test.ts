/**
 * The local engine end to end: the real state machine definitions run by aws-local-stepfunctions,
 * every Task bound to its Lambda handler module over the filesystem adapters, against Pebble (EAB
 * required) validating against BIND 9 (rfc2136 with a certbot credentials INI), in a temporary
 * certbot config dir. Hooks are real shell commands writing what they saw to a file.
 */
import 'reflect-metadata';
import { lstat, mkdtemp, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { keyMatchesCertificate, parseCertificate } from '../../../shared/crypto/index.js';
import { FilesystemCertificateStore } from '../../../shared/store/filesystem/index.js';
import type { Logger } from '../../../shared/workflow/index.js';
import { LocalEngine, type StepProgress } from '../../../engine/index.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials, type LogLine } from '../../../harness/workflow-deps.js';

let bind: BindHandle;
let pebble: PebbleHandle;
let configDir: string;
let hookLog: string;
let eabFile: string;
const logs: LogLine[] = [];
const log: Logger = {
  info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
  warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
  error: (message, fields) => logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
};
const engines: LocalEngine[] = [];

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server });
  configDir = await mkdtemp(join(tmpdir(), 'acmeflow-engine-'));
  hookLog = join(configDir, 'hooks.log');
  await writeFile(hookLog, '');
  const credentials = join(configDir, 'rfc2136.ini');
  await writeRfc2136Credentials(credentials, bind);
  eabFile = join(configDir, 'eab.json');
  await writeFile(eabFile, JSON.stringify({ kid: pebble.eab.kid, hmacKey: pebble.eab.hmacKey }), { mode: 0o600 });
  const store = new FilesystemCertificateStore({ configDir });
  for (const name of ['alpha', 'beta']) {
    const spec = resolveLineageSpec({
      name,
      domains: [`${name}.example.test`, `*.${name}.example.test`],
      keyType: 'ecdsa-p256',
      // The EAB credentials come from a file (mode 0600), as a certbot user would keep them.
      ca: { directoryUrl: pebble.directoryUrl, eabRef: eabFile, termsOfServiceAgreed: true, contact: ['ops@example.test'] },
      // No resolvers in the spec: the engine's --dns-resolver option points the check at BIND.
      dns: { provider: 'rfc2136', credentialsRef: credentials },
      deployDelay: 3,
    });
    await store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
  }
});
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
});

function engine(progress?: StepProgress[]): LocalEngine {
  const made = new LocalEngine({
    configDir,
    fetch: pebble.fetch,
    resolvers: [bind.server],
    log,
    waitScale: 0.01,
    hooks: {
      preHook: `echo "pre" >> ${hookLog}`,
      deployHook: `echo "deploy $RENEWED_LINEAGE|$RENEWED_DOMAINS" >> ${hookLog}`,
      postHook: `echo "post $RENEWED_DOMAINS" >> ${hookLog}`,
    },
    ...(progress ? { onStep: (e: StepProgress) => progress.push(e) } : {}),
  });
  engines.push(made);
  return made;
}

async function hookLines(): Promise<string[]> {
  const text = await readFile(hookLog, 'utf8');
  await writeFile(hookLog, '');
  return text.split('\n').filter((l) => l !== '');
}

describe('LocalEngine on Pebble and BIND', () => {
  it('issues a certificate into certbot\u2019s layout, with pre, deploy and post hooks', async () => {
    const progress: StepProgress[] = [];
    const e = engine(progress);
    const outcome = await e.issue({ lineage: 'alpha' });
    expect(outcome).toMatchObject({ status: 'succeeded', lineage: 'alpha', version: 1, dryRun: false });
    expect(outcome.hookFailures).toBeUndefined();
    const live = join(configDir, 'live', 'alpha');
    expect(outcome.paths).toEqual({
      cert: join(live, 'cert.pem'),
      chain: join(live, 'chain.pem'),
      fullchain: join(live, 'fullchain.pem'),
      privkey: join(live, 'privkey.pem'),
    });
    for (const file of ['cert', 'chain', 'fullchain', 'privkey']) {
      expect((await lstat(join(live, `${file}.pem`))).isSymbolicLink()).toBe(true);
      expect(await readlink(join(live, `${file}.pem`))).toBe(`../../archive/alpha/${file}1.pem`);
    }
    expect((await stat(join(configDir, 'archive', 'alpha', 'privkey1.pem'))).mode & 0o777).toBe(0o600);
    const certPem = await readFile(join(live, 'cert.pem'), 'utf8');
    expect(parseCertificate(certPem).serialHex).toBe(outcome.serialHex);
    expect(await keyMatchesCertificate(await readFile(join(live, 'privkey.pem'), 'utf8'), certPem)).toBe(true);
    expect(await readFile(join(configDir, 'renewal', 'alpha.conf'), 'utf8')).toContain('archive_dir');

    expect(e.events.map((ev) => ev.detailType)).toEqual(['Certificate Issued', 'Certificate Deployable']);
    expect(await hookLines()).toEqual(['pre', `deploy ${live}|alpha.example.test *.alpha.example.test`, 'post alpha.example.test *.alpha.example.test']);
    // The records are gone, and the states ran as the definition says, the deploy delay included.
    expect(await bind.queryTxt('_acme-challenge.alpha.example.test')).toEqual([]);
    const entered = progress.filter((p) => p.phase === 'enter').map((p) => p.state);
    expect(entered).toEqual(expect.arrayContaining(['PrepareOrder', 'CheckPropagation', 'StoreCertificate', 'Wait deploy delay', 'EmitDeployable', 'Done']));
    expect(entered.indexOf('Wait deploy delay')).toBeLessThan(entered.indexOf('EmitDeployable'));
    // The deploy delay is waited in a follow-up execution: the issuance itself ends once it started it.
    const follow = `${outcome.executionName}-deployable`;
    const statesOf = (execution: string) => progress.filter((p) => p.phase === 'enter' && p.execution === execution).map((p) => p.state);
    expect(statesOf(outcome.executionName)).toEqual(expect.arrayContaining(['StoreCertificate', 'EmitIssued', 'Schedule deployable', 'Done']));
    expect(statesOf(outcome.executionName)).not.toContain('Wait deploy delay');
    expect(statesOf(follow)).toEqual(['Announce only?', 'EmitIssued', 'Deploy delay?', 'Wait deploy delay', 'EmitDeployable', 'Done']);
    expect(progress.every((p) => p.lineage === 'alpha' && [outcome.executionName, follow].includes(p.execution))).toBe(true);
    expect((await new FilesystemCertificateStore({ configDir }).getLineage('alpha'))?.lineage.state.announced).toMatchObject({ version: 1, issued: true, deployable: true });
  });

  it('a sweep with nothing due attempts nothing and runs no hook', async () => {
    const e = engine();
    await e.issue({ lineage: 'beta' });
    await hookLines();
    const outcome = await e.sweep({});
    expect(outcome).toMatchObject({ attempted: 0, renewed: [], failed: [], skipped: 2, results: [] });
    expect(await hookLines()).toEqual([]);
    expect(e.events.filter((ev) => ev.detailType === 'Renewal Sweep Completed')).toEqual([]);
  });

  it('a forced sweep renews both lineages: a deploy hook per lineage, one post hook', async () => {
    const e = engine();
    const outcome = await e.sweep({ force: true });
    expect(outcome).toMatchObject({ attempted: 2, renewed: ['alpha', 'beta'], failed: [], skipped: 0 });
    expect(outcome.results.map((r) => [r.lineage, r.status, r.version])).toEqual([
      ['alpha', 'succeeded', 2],
      ['beta', 'succeeded', 2],
    ]);
    const lines = await hookLines();
    expect(lines[0]).toBe('pre');
    expect(lines.filter((l) => l === 'pre')).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('deploy ')).sort()).toEqual([
      `deploy ${join(configDir, 'live', 'alpha')}|alpha.example.test *.alpha.example.test`,
      `deploy ${join(configDir, 'live', 'beta')}|beta.example.test *.beta.example.test`,
    ]);
    const posts = lines.filter((l) => l.startsWith('post'));
    expect(posts).toHaveLength(1);
    expect(lines.at(-1)).toBe(posts[0]);
    expect(posts[0]?.split(' ').slice(1).sort()).toEqual(['*.alpha.example.test', '*.beta.example.test', 'alpha.example.test', 'beta.example.test']);
    expect(e.events.filter((ev) => ev.detailType === 'Renewal Sweep Completed').map((ev) => ev.detail)).toEqual([
      { attempted: 2, renewed: ['alpha', 'beta'], failed: [], skipped: 0, dryRun: false },
    ]);
    expect(await readlink(join(configDir, 'live', 'beta', 'cert.pem'))).toBe('../../archive/beta/cert2.pem');
  });

  it('a dry run issues against the CA, stores nothing and skips the deploy hook', async () => {
    const e = engine();
    const store = new FilesystemCertificateStore({ configDir });
    const before = await readlink(join(configDir, 'live', 'alpha', 'cert.pem'));
    const outcome = await e.sweep({ force: true, dryRun: true, lineages: ['alpha'] });
    expect(outcome).toMatchObject({ attempted: 1, renewed: ['alpha'], dryRun: true });
    expect(outcome.results[0]).toMatchObject({ status: 'succeeded', dryRun: true, serialHex: expect.any(String) });
    expect(outcome.results[0]?.paths).toBeUndefined();
    expect(await store.latestVersion('alpha')).toBe(2);
    expect(await readlink(join(configDir, 'live', 'alpha', 'cert.pem'))).toBe(before);
    expect(e.events.map((ev) => ev.detailType)).toEqual(['Renewal Sweep Completed']);
    expect(await hookLines()).toEqual(['pre', 'post ']);
  });

  it('revokes the live certificate', async () => {
    const e = engine();
    const serialHex = parseCertificate(await readFile(join(configDir, 'live', 'beta', 'cert.pem'), 'utf8')).serialHex;
    const outcome = await e.revoke({ lineage: 'beta', reason: 'superseded' });
    expect(outcome).toEqual({ lineage: 'beta', serialHex, reason: 'superseded' });
    const status = await pebble.certStatusBySerial(serialHex);
    expect(status.status).toBe('Revoked');
    expect(e.events).toEqual([{ detailType: 'Certificate Revoked', detail: expect.objectContaining({ lineage: 'beta', serialHex, reason: 'superseded' }) }]);
    const state = (await new FilesystemCertificateStore({ configDir }).getLineage('beta'))!.lineage.state;
    expect(state.revoked).toMatchObject({ serialHex, reason: 'superseded' });
  });

  it('a deploy hook that fails is reported; the certificate stays issued', async () => {
    const store = new FilesystemCertificateStore({ configDir });
    const alpha = (await store.getLineage('alpha'))!.lineage.spec;
    await store.putLineage({ spec: { ...alpha, name: 'gamma', domains: ['gamma.example.test'] }, state: { currentVersion: 0 } }, { expectedEtag: null });
    const e = new LocalEngine({ configDir, fetch: pebble.fetch, resolvers: [bind.server], log, waitScale: 0.01, hooks: { deployHook: 'echo broken >&2; exit 4' } });
    engines.push(e);
    const outcome = await e.issue({ lineage: 'gamma' });
    expect(outcome).toMatchObject({ status: 'succeeded', version: 1 });
    expect(outcome.hookFailures).toEqual([expect.objectContaining({ hook: 'deploy-hook', exitCode: 4, lineage: 'gamma', stderrTail: 'broken' })]);
    expect(await readlink(join(configDir, 'live', 'gamma', 'cert.pem'))).toBe('../../archive/gamma/cert1.pem');
    expect(e.events.map((ev) => ev.detailType)).toEqual(['Certificate Issued', 'Certificate Deployable']);
  });

  it('kept key material out of every execution state, event and log line', async () => {
    const everything = engines.flatMap((e) => [...e.executionLog, ...e.events]);
    expect(everything.length).toBeGreaterThan(100);
    // The execution log holds the state machines' inputs and outputs: it saw the certificates issued.
    expect(JSON.stringify(everything)).toContain('"StoreCertificate"');
    const text = JSON.stringify([everything, logs]);
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(text).not.toContain(pebble.eab.hmacKey);
    expect(text).not.toContain(bind.tsig.secret);
  });
});
