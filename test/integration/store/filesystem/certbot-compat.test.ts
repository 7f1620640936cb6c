/**
 * What the filesystem store writes, read by the real certbot (Debian package `certbot`): certbot
 * must list the lineage with its names, expiry and paths, python's configobj (the parser certbot
 * reads renewal confs with) must read every value of the conf as acmeflow's parser does, and certbot
 * must repair a live/ switch a killed acmeflow left half done, from the same journal acmeflow writes.
 * Skipped, saying so, where /usr/bin/certbot is not installed (`apt-get install -y certbot`).
 * The tests run in order on one config directory, each adding to what the one before wrote.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLineageSpec } from '../../../../shared/config/index.js';
import { FilesystemCertificateStore, FilesystemKeyStore } from '../../../../shared/store/filesystem/index.js';
import { formatConfValue, parseConfigObj, type ConfValue } from '../../../../shared/store/filesystem/configobj.js';
import type { CertificateVersion, Lineage } from '../../../../shared/store/index.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../../../support/certs.js';
import { fullLineage } from '../../../unit/store/filesystem/fixtures.js';

const CERTBOT = '/usr/bin/certbot';
const hasCertbot = existsSync(CERTBOT);
const run = promisify(execFile);

let root: string;
let configDir: string;
let store: FilesystemCertificateStore;
let keys: FilesystemKeyStore;
let ca: TestCertificate;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'acmeflow-certbot-'));
  configDir = join(root, 'config');
  store = new FilesystemCertificateStore({ configDir });
  keys = new FilesystemKeyStore({ configDir });
  ca = await makeSelfSignedCertificate({ domains: [], commonName: 'acmeflow Test CA', isCa: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Issues a version of `lineage` as the workflow would, with a real certificate signed by the test CA
 * (`promote: false`: archived with its key, live/ not switched yet).
 */
async function issue(lineage: Lineage, version: number, notAfter: string, options: { promote?: boolean } = {}): Promise<CertificateVersion> {
  const leaf = await makeSelfSignedCertificate({ domains: [...lineage.spec.domains], keyType: lineage.spec.keyType, issuer: ca, notAfter });
  const v: CertificateVersion = {
    lineage: lineage.spec.name,
    version,
    certPem: leaf.certPem,
    chainPem: ca.certPem,
    fullchainPem: leaf.certPem + ca.certPem,
    meta: {
      serialHex: '01',
      notBefore: new Date().toISOString(),
      notAfter,
      domains: lineage.spec.domains,
      orderUrl: `https://ca.example/order/${version}`,
      issuedAt: new Date().toISOString(),
      keyType: lineage.spec.keyType,
    },
  };
  await store.putVersion(v);
  await keys.putPendingCertificateKey(v.lineage, v.meta.orderUrl, leaf.privateKeyPem);
  await keys.promoteCertificateKey(v.lineage, v.meta.orderUrl, version, v.fullchainPem);
  if (options.promote !== false) await store.promoteVersion(v.lineage, version);
  return v;
}

/** Runs certbot on the store's config directory; resolves its output, stdout and stderr together. */
async function certbot(...args: string[]): Promise<string> {
  const work = join(root, 'work');
  const logs = join(root, 'logs');
  await mkdir(work, { recursive: true });
  await mkdir(logs, { recursive: true });
  const { stdout, stderr } = await run(CERTBOT, [...args, '--config-dir', configDir, '--work-dir', work, '--logs-dir', logs, '--non-interactive'], {
    env: { ...process.env, LANG: 'C.UTF-8' },
  });
  return `${stdout}\n${stderr}`;
}

const certbotCertificates = () => certbot('certificates');

/** The block certbot prints for one lineage, from "Certificate Name: <name>" to the next one. */
function blockOf(output: string, name: string): string {
  const start = output.indexOf(`Certificate Name: ${name}\n`);
  expect(start, `certbot did not list ${name}:\n${output}`).toBeGreaterThanOrEqual(0);
  const next = output.indexOf('Certificate Name:', start + 1);
  return output.slice(start, next < 0 ? undefined : next);
}

describe.skipIf(!hasCertbot)(`certbot reads what the filesystem store writes (needs ${CERTBOT}: apt-get install -y certbot)`, () => {
  it('lists the lineage with its domains, expiry and live/ paths, and calls no conf invalid', async () => {
    const spec = resolveLineageSpec({ domains: ['example.com', 'www.example.com'], keyType: 'rsa-2048', ca: { preset: 'jprs', eabRef: 'acmeflow/eab/jprs' }, dns: { provider: 'route53' } });
    await issue({ spec, state: { currentVersion: 0 } }, 1, '2031-03-04T05:06:07.000Z');
    await store.putLineage({ spec, state: { currentVersion: 1, issuedAt: new Date().toISOString() } });
    const output = await certbotCertificates();
    expect(output).not.toContain('were invalid');
    const block = blockOf(output, 'example.com');
    expect(block).toContain('Domains: example.com www.example.com\n');
    expect(block).toContain('Expiry Date: 2031-03-04 05:06:07+00:00 (VALID:');
    expect(block).toContain('Key Type: RSA');
    expect(block).toContain(`Certificate Path: ${configDir}/live/example.com/fullchain.pem`);
    expect(block).toContain(`Private Key Path: ${configDir}/live/example.com/privkey.pem`);
  });

  it('follows a promotion to a new version, and accepts a conf whose threshold an operator edited', async () => {
    const stored = await store.getLineage('example.com');
    await issue(stored!.lineage, 2, '2032-01-02T03:04:05.000Z');
    const path = join(configDir, 'renewal', 'example.com.conf');
    await writeFile(path, (await readFile(path, 'utf8')).replace('renew_before_expiry = 30 days', 'renew_before_expiry = 91 days'));
    expect((await store.getLineage('example.com'))?.lineage.spec.renewBeforeExpirySeconds).toBe(91 * 86_400);
    const output = await certbotCertificates();
    expect(output).not.toContain('were invalid');
    expect(blockOf(output, 'example.com')).toContain('Expiry Date: 2032-01-02 03:04:05+00:00 (VALID:');
  });

  it('lists an ECDSA lineage with every acmeflow field set (quotes, JSON, lists) beside it', async () => {
    const lineage = fullLineage({ name: 'example.jp', keyType: 'ecdsa-p384' });
    await issue(lineage, 1, '2030-12-31T23:59:59.000Z');
    await store.putLineage(lineage);
    const output = await certbotCertificates();
    expect(output).not.toContain('were invalid');
    const block = blockOf(output, 'example.jp');
    expect(block).toContain('Domains: example.jp www.example.jp *.app.example.jp\n');
    expect(block).toContain('Key Type: ECDSA');
    expect(blockOf(output, 'example.com')).toContain('Domains: example.com www.example.com\n');
  });

  it('is left alone by `certbot renew` (autorenew = False), even inside its renewal window', async () => {
    // 91 days before expiry is inside the window of a certificate that expires in 90 days.
    const spec = resolveLineageSpec({ domains: ['soon.example'], keyType: 'ecdsa-p256', ca: { preset: 'letsencrypt' }, dns: { provider: 'route53' }, renewBeforeExpiry: '91 days' });
    await issue({ spec, state: { currentVersion: 0 } }, 1, new Date(Date.now() + 10 * 86_400_000).toISOString());
    await store.putLineage({ spec, state: { currentVersion: 1 } });
    const output = await certbot('renew', '--no-random-sleep-on-renew');
    expect(output).toContain(`Processing ${configDir}/renewal/soon.example.conf`);
    expect(output).toContain('Certificate not yet due for renewal');
    expect(output).not.toContain('failed');
    expect(await store.latestVersion('soon.example')).toBe(1);
  });

  it('repairs, like acmeflow, a switch of live/ that a killed acmeflow left half done (certbot\u2019s own previous_*.pem journal)', async () => {
    const stored = (await store.getLineage('example.jp'))!.lineage;
    await issue(stored, 2, '2033-05-06T07:08:09.000Z', { promote: false });
    // acmeflow killed after two of the four renames (cert and privkey on version 2, chain and fullchain on 1).
    const child = join(import.meta.dirname, 'support', 'promote-version.ts');
    const preload = join(import.meta.dirname, '..', '..', '..', 'reliability', 'support', 'kill-at-live-rename.mjs');
    const proc = spawn(process.execPath, ['--import', 'tsx', '--import', preload, child, configDir, 'example.jp', '2'], {
      env: { ...process.env, ACMEFLOW_KILL_AFTER_LIVE_RENAMES: '2', ACMEFLOW_KILL_LINEAGE: 'example.jp' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    expect((await once(proc, 'exit'))[1]).toBe('SIGKILL');
    const live = join(configDir, 'live', 'example.jp');
    const versions = async () => Promise.all(['cert', 'privkey', 'chain', 'fullchain'].map(async (k) => /(\d+)\.pem$/.exec(await readlink(join(live, `${k}.pem`)))?.[1]));
    expect(await versions()).toEqual(['2', '2', '1', '1']);
    // Any certbot command that loads the lineage rolls it back to the old pair, and lists that.
    const output = await certbotCertificates();
    expect(output).not.toContain('were invalid');
    expect(blockOf(output, 'example.jp')).toContain('Expiry Date: 2030-12-31 23:59:59+00:00 (VALID:');
    expect(await versions()).toEqual(['1', '1', '1', '1']);
    expect((await readdir(live)).filter((f) => f.startsWith('previous_'))).toEqual([]);
    // acmeflow's next promotion switches all four; certbot follows.
    await store.promoteVersion('example.jp', 2);
    expect(await versions()).toEqual(['2', '2', '2', '2']);
    expect(blockOf(await certbotCertificates(), 'example.jp')).toContain('Expiry Date: 2033-05-06 07:08:09+00:00 (VALID:');
  });

  it("reads every conf value with python's configobj exactly as acmeflow's parser does", async () => {
    const path = join(configDir, 'renewal', 'example.jp.conf');
    const script = [
      'import configobj, json, sys',
      "c = configobj.ConfigObj(sys.argv[1], encoding='utf-8', default_encoding='utf-8')",
      'print(json.dumps(c.dict()))',
    ].join('\n');
    // certbot's own interpreter (its shebang), whose configobj is the one certbot uses.
    const python3 = (await readFile(CERTBOT, 'utf8')).split('\n')[0]!.replace(/^#!\s*/, '').split(' ')[0]!;
    const { stdout } = await run(python3, ['-c', script, path]);
    const python = JSON.parse(stdout) as Record<string, unknown>;
    const ours: Record<string, unknown> = {};
    for (const section of parseConfigObj(await readFile(path, 'utf8'), path).sections) {
      const values = Object.fromEntries(section.entries.map((e) => [e.key, e.value]));
      if (section.name === null) Object.assign(ours, values);
      else ours[section.name] = values;
    }
    expect(ours).toEqual(python);
    // The awkward values really are in there (JSON with quotes, commas and '#').
    expect((python.acmeflow as Record<string, string>).dns_config).toContain('"note":"it\\u0027s \\"quoted\\", with # and ,"');
  });

  it("writes every awkward value so that python's configobj reads exactly that value", async () => {
    const values: ConfValue[] = ['a,b', 'hash # inside', '#start', "it's", 'say "x"', 'both \' and "', ' lead', 'trail ', '', '"q"', "'s'", 'x = y', 'line\nbreak', ['one'], ['a', 'b c', 'd,e', "f'g", 'h#i'], []];
    const path = join(root, 'values.conf');
    await writeFile(path, values.map((v, i) => `k${i} = ${formatConfValue(v)}\n`).join(''));
    const python3 = (await readFile(CERTBOT, 'utf8')).split('\n')[0]!.replace(/^#!\s*/, '').split(' ')[0]!;
    const script = "import configobj, json, sys\nprint(json.dumps(configobj.ConfigObj(sys.argv[1], encoding='utf-8').dict()))";
    const python = JSON.parse((await run(python3, ['-c', script, path])).stdout) as Record<string, unknown>;
    expect(python).toEqual(Object.fromEntries(values.map((v, i) => [`k${i}`, v])));
  });
});
