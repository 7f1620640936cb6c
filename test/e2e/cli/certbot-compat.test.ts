/**
 * certbot's own lineages and accounts are acmeflow's too, and certbot's command lines work with
 * `acmeflow` in certbot's place. The real certbot (Debian's certbot 2.1 with its rfc2136 plugin)
 * registers an account with EAB at Pebble and makes three lineages against BIND 9: one with
 * `--dns-rfc2136`, one with `--manual` hooks, one with a saved `--deploy-hook` (`renew_hook`).
 * acmeflow renews each with certbot's account (no second registration), certbot renews each again
 * after that, and both list the same lineages. The tests run in order on one config directory.
 * Skipped, saying so, where /usr/bin/certbot or its rfc2136 plugin is not installed.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudClientsFactory } from '../../../cli/cloud/index.js';
import { runMain } from '../../support/run-main.js';
import { startS3rver } from '../../../harness/s3rver.js';
import { startSecretsManagerFake } from '../../../harness/secrets-manager-fake.js';
import { S3CertificateStore, S3KeyStore } from '../../../shared/store/s3/index.js';
import { SecretsManagerKeyStore } from '../../../shared/store/secrets-manager/index.js';
import { accountIdFor } from '../../../shared/workflow/index.js';
import { describeStacksAnswer, REGION, STACK, stackOutputs } from '../../unit/cli/cloud/cloud-fixtures.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';

const CERTBOT = '/usr/bin/certbot';
const RFC2136_PLUGIN = '/usr/lib/python3/dist-packages/certbot_dns_rfc2136';
const hasCertbot = existsSync(CERTBOT) && existsSync(RFC2136_PLUGIN);
const exec = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..', '..');

let bind: BindHandle;
let pebble: PebbleHandle;
let work: string;
let configDir: string;
let credentials: string;
let hookLog: string;
let deployLog: string;
let manualHook: (action: 'add' | 'del') => string;

interface Run {
  code: number;
  out: string;
  err: string;
}

/** `acmeflow ARGS`, in this process (the same `main` bin/acmeflow.mjs runs), trusting Pebble. */
async function acmeflow(args: string[], env: Record<string, string> = {}, cloudClients?: CloudClientsFactory, interactive?: boolean): Promise<Run> {
  return runMain(args, {
    ...(interactive === undefined ? {} : { interactive }),
    ...(cloudClients ? { cloudClients } : {}),
    env: { LANG: 'C', HOME: work, ...env },
    waitScale: 0.02,
    fetch: pebble.fetch,
  });
}

/** The real certbot on the shared config directory; resolves stdout and stderr together. */
async function certbot(...args: string[]): Promise<string> {
  const { stdout, stderr } = await exec(CERTBOT, [...args, '--config-dir', configDir, '--work-dir', join(work, 'work'), '--logs-dir', join(work, 'logs'), '--non-interactive'], {
    env: { ...process.env, ...pebble.env, LANG: 'C.UTF-8', HOOK_LOG: hookLog, HOOK_CREDENTIALS: credentials },
  });
  return `${stdout}\n${stderr}`;
}

const rfc2136Flags = () => ['--dns-rfc2136', '--dns-rfc2136-credentials', credentials, '--dns-rfc2136-propagation-seconds', '1'];

/** The version live/<name>/cert.pem serves. */
async function liveVersion(name: string): Promise<number> {
  return Number(/cert(\d+)\.pem$/.exec(await readlink(join(configDir, 'live', name, 'cert.pem')))?.[1]);
}

/** certbot's and acmeflow's `certificates` output, one block per lineage, without the lines that differ by design. */
function listed(output: string): Record<string, string> {
  const blocks: Record<string, string> = {};
  for (const block of output.split('  Certificate Name: ').slice(1)) {
    const name = block.slice(0, block.indexOf('\n'));
    blocks[name] = block
      .split('\n')
      .filter((l) => /^ {4}(Serial Number|Key Type|Domains|Expiry Date|Certificate Path|Private Key Path):/.test(l))
      // The days left are counted a moment apart; the date itself must agree.
      .map((l) => l.replace(/\(VALID: \d+ days\)/, '(VALID)'))
      .join('\n');
  }
  return blocks;
}

const LINEAGES = ['rfc.example.test', 'man.example.test', 'hook.example.test'];

beforeAll(async () => {
  if (!hasCertbot) return;
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-certbot-e2e-'));
  configDir = join(work, 'letsencrypt');
  credentials = join(work, 'rfc2136.ini');
  hookLog = join(work, 'manual-hooks.log');
  deployLog = join(work, 'deploy.log');
  await writeRfc2136Credentials(credentials, bind);
  // Hooks run in the command's own environment, as certbot's do (the engine runs in this process).
  process.env.HOOK_LOG = hookLog;
  process.env.HOOK_CREDENTIALS = credentials;
  await mkdir(join(work, 'bin'));
  manualHook = (action) => join(work, 'bin', `dns-${action}.sh`);
  for (const action of ['add', 'del'] as const) {
    const script = `#!/bin/sh\ncd '${REPO}' && exec '${process.execPath}' --import tsx test/e2e/cli/support/rfc2136-manual-hook.ts ${action}\n`;
    await writeFile(manualHook(action), script, { mode: 0o755 });
  }
}, 120_000);
afterAll(async () => {
  delete process.env.HOOK_LOG;
  delete process.env.HOOK_CREDENTIALS;
  await pebble?.stop();
  await bind?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!hasCertbot)(`certbot's lineages and accounts (needs ${CERTBOT} and python3-certbot-dns-rfc2136)`, () => {
  it('certbot registers with EAB and makes three lineages: dns-rfc2136, --manual hooks, a saved deploy hook', async () => {
    const account = ['--server', pebble.directoryUrl, '--agree-tos', '-m', 'ops@example.test', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey];
    await certbot('certonly', ...account, ...rfc2136Flags(), '-d', 'rfc.example.test');
    await certbot('certonly', '--server', pebble.directoryUrl, '--manual', '--preferred-challenges', 'dns', '--manual-auth-hook', manualHook('add'), '--manual-cleanup-hook', manualHook('del'), '-d', 'man.example.test,www.man.example.test');
    await certbot('certonly', '--server', pebble.directoryUrl, ...rfc2136Flags(), '--key-type', 'rsa', '-d', 'hook.example.test', '--deploy-hook', `echo "$RENEWED_LINEAGE" >> '${deployLog}'`);
    expect((await readdir(join(configDir, 'renewal'))).sort()).toEqual(LINEAGES.map((n) => `${n}.conf`).sort());
    for (const name of LINEAGES) expect(await liveVersion(name)).toBe(1);
    const hookConf = await readFile(join(configDir, 'renewal', 'hook.example.test.conf'), 'utf8');
    expect(hookConf).toContain('\nrenew_hook = ');
    expect(hookConf).not.toContain('[acmeflow]');
  }, 120_000);

  it('acmeflow lists certbot\u2019s lineages as certbot does, options before the verb', async () => {
    const ours = await acmeflow(['--config-dir', configDir, 'certificates']);
    expect(ours.code).toBe(0);
    expect(ours.err).toBe('');
    const theirs = await certbot('certificates');
    expect(listed(ours.out)).toEqual(listed(theirs));
    expect(Object.keys(listed(ours.out)).sort()).toEqual([...LINEAGES].sort());
    expect(ours.out).toContain('    Key Type: RSA\n');
  });

  it('acmeflow renews each with certbot\u2019s settings and account: its hooks, its renew_hook, no new registration', async () => {
    const accountsBefore = await readdir(join(configDir, 'accounts'));
    await writeFile(hookLog, '');
    await writeFile(deployLog, '');
    const r = await acmeflow(['--config-dir', configDir, '-n', 'renew', '--force-renewal', '--no-random-sleep-on-renew', '--dns-resolver', bind.server]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Congratulations, all renewals succeeded');
    for (const name of LINEAGES) expect(await liveVersion(name)).toBe(2);
    // certbot's account, used as it is: no acmeflow account was registered beside it.
    expect(await readdir(join(configDir, 'accounts'))).toEqual(accountsBefore);
    // The saved renew_hook ran once, for its lineage only.
    expect((await readFile(deployLog, 'utf8')).trim().split('\n')).toEqual([join(configDir, 'live', 'hook.example.test')]);
    // The manual hooks ran with certbot's environment: both names, in one batch, then cleaned up.
    const runs = (await readFile(hookLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const adds = runs.filter((h) => h.action === 'add');
    expect(adds.map((h) => h.CERTBOT_DOMAIN).sort()).toEqual(['man.example.test', 'www.man.example.test']);
    expect(adds.map((h) => h.CERTBOT_REMAINING_CHALLENGES)).toEqual(['1', '0']);
    for (const h of adds) expect(h.CERTBOT_ALL_DOMAINS?.split(',').sort()).toEqual(['man.example.test', 'www.man.example.test']);
    expect(runs.filter((h) => h.action === 'del').map((h) => h.CERTBOT_AUTH_OUTPUT)).toEqual(adds.map((h) => `published _acme-challenge.${h.CERTBOT_DOMAIN}`));
    // Written back so that certbot can renew: certbot's keys are where certbot reads them.
    const manualConf = await readFile(join(configDir, 'renewal', 'man.example.test.conf'), 'utf8');
    expect(manualConf).toContain(`\nmanual_auth_hook = ${manualHook('add')}\n`);
    expect(manualConf).toMatch(/\naccount = [0-9a-f]{32}\n/);
    expect(manualConf).not.toContain('autorenew');
  }, 120_000);

  it('certbot renews each again after acmeflow, and both list the same lineages', async () => {
    await writeFile(deployLog, '');
    const output = await certbot('renew', '--force-renewal', '--no-random-sleep-on-renew');
    expect(output).not.toContain('failed');
    expect(output).toContain('Congratulations, all renewals succeeded');
    for (const name of LINEAGES) expect(await liveVersion(name)).toBe(3);
    expect((await readFile(deployLog, 'utf8')).trim()).toBe(join(configDir, 'live', 'hook.example.test'));
    const ours = await acmeflow(['certificates', '--config-dir', configDir]);
    expect(listed(ours.out)).toEqual(listed(await certbot('certificates')));
    const json = JSON.parse((await acmeflow(['certificates', '--json', '--config-dir', configDir])).out) as { certificates: { name: string; version: number }[] };
    expect(json.certificates.map((c) => [c.name, c.version]).sort()).toEqual(LINEAGES.map((n) => [n, 3]).sort());
  }, 120_000);

  it('a lineage acmeflow cannot renew (HTTP-01) is reported alone, with the command that converts it; the others renew', async () => {
    // A lineage certbot made with --webroot: its files as certbot keeps them, its conf naming webroot.
    const conf = await readFile(join(configDir, 'renewal', 'rfc.example.test.conf'), 'utf8');
    await cp(join(configDir, 'archive', 'rfc.example.test'), join(configDir, 'archive', 'web.example.test'), { recursive: true });
    await mkdir(join(configDir, 'live', 'web.example.test'));
    for (const kind of ['cert', 'privkey', 'chain', 'fullchain']) {
      await symlink(`../../archive/web.example.test/${kind}3.pem`, join(configDir, 'live', 'web.example.test', `${kind}.pem`));
    }
    const webroot = conf
      .replaceAll('rfc.example.test', 'web.example.test')
      .replace('authenticator = dns-rfc2136', 'authenticator = webroot\nwebroot_path = /var/www/html,')
      .replace(/\n\[acmeflow\][\s\S]*$/, '\n');
    await writeFile(join(configDir, 'renewal', 'web.example.test.conf'), webroot);
    const r = await acmeflow(['renew', '--config-dir', configDir, '--cert-name', 'rfc.example.test', '--cert-name', 'web.example.test', '--force-renewal', '--dns-resolver', bind.server]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('rfc.example.test');
    expect(await liveVersion('rfc.example.test')).toBe(4);
    expect(r.err).toContain('Could not read the lineage web.example.test');
    expect(r.err).toContain('authenticator = webroot');
    expect(r.err).toContain('acmeflow reconfigure --cert-name web.example.test --dns-<provider>');
    // The command it names converts the lineage; the next renew renews it with dns-01.
    const converted = await acmeflow(['reconfigure', '--cert-name', 'web.example.test', '-a', 'dns-rfc2136', '--dns-rfc2136-credentials', credentials, '--config-dir', configDir]);
    expect(converted.code).toBe(0);
    expect(await readFile(join(configDir, 'renewal', 'web.example.test.conf'), 'utf8')).toContain('\nauthenticator = dns-rfc2136\n');
    const renewed = await acmeflow(['renew', '--config-dir', configDir, '--cert-name', 'web.example.test', '--force-renewal', '--dns-resolver', bind.server]);
    expect(renewed.err).toBe('');
    expect(renewed.code).toBe(0);
    expect(await liveVersion('web.example.test')).toBe(4);
    expect((await acmeflow(['delete', '--cert-name', 'web.example.test', '--config-dir', configDir])).out).toBe('Deleted all files relating to certificate web.example.test.\n');
    expect(await readdir(join(configDir, 'renewal'))).not.toContain('web.example.test.conf');
    expect(await readdir(join(configDir, 'live'))).not.toContain('web.example.test');
  }, 120_000);

  it('runs the operator manual\u2019s cron line with acmeflow in certbot\u2019s place, options before or after the verb', async () => {
    await writeFile(deployLog, '');
    // 0 0,12 * * * certbot renew -q --deploy-hook "sleep 10m; systemctl reload httpd" (the wait is the lineage's deploy delay here).
    const cron = await acmeflow(['renew', '-q', '--config-dir', configDir, '--deploy-hook', `echo reload >> '${deployLog}'`, '--no-random-sleep-on-renew']);
    expect(cron).toEqual({ code: 0, out: '', err: '' });
    const before = await acmeflow(['-q', '--config-dir', configDir, 'renew', '--deploy-hook', `echo reload >> '${deployLog}'`, '--no-random-sleep-on-renew']);
    expect(before).toEqual({ code: 0, out: '', err: '' });
    // Nothing was due, so no deploy hook ran.
    expect(await readFile(deployLog, 'utf8')).toBe('');
    // As cron runs it (no terminal): certbot's random delay first, here at most 0.2 s.
    const dry = await acmeflow(['renew', '--dry-run', '--config-dir', configDir, '-v', '--dns-resolver', bind.server], { ACMEFLOW_RANDOM_SLEEP_MAX_SECONDS: '0.2' }, undefined, false);
    expect(dry.code).toBe(0);
    expect(dry.err).toMatch(/^Non-interactive renewal: random delay of 0\.\d seconds$/m);
    // certbot's --dry-run simulates every lineage, due or not.
    expect(dry.out).toContain('Congratulations, all simulated renewals succeeded');
    for (const name of LINEAGES) expect(dry.out).toContain(name);
    for (const name of LINEAGES) expect(await liveVersion(name)).toBe(name === 'rfc.example.test' ? 4 : 3);
  }, 180_000);

  it('acmeflow certonly with certbot\u2019s flags (-a dns-rfc2136, --manual hooks, a Unicode --cert-name) on certbot\u2019s account; certbot renews what it made', async () => {
    const accountsBefore = await readdir(join(configDir, 'accounts'));
    const plugin = await acmeflow(['certonly', '-a', 'dns-rfc2136', '--dns-rfc2136-credentials', credentials, '-d', 'bücher.example.test', '--server', pebble.directoryUrl, '--dns-resolver', bind.server, '--config-dir', configDir]);
    expect(plugin.err).toBe('');
    expect(plugin.code).toBe(0);
    expect(await liveVersion('xn--bcher-kva.example.test')).toBe(1);
    await writeFile(hookLog, '');
    const manual = await acmeflow(['certonly', '--manual', '--preferred-challenges', 'dns', '--manual-auth-hook', manualHook('add'), '--manual-cleanup-hook', manualHook('del'), '-d', 'hand.example.test', '--server', pebble.directoryUrl, '--dns-resolver', bind.server, '--config-dir', configDir]);
    expect(manual.err).toBe('');
    expect(manual.code).toBe(0);
    expect((await readFile(hookLog, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(['add', 'del']);
    // No registration: --agree-tos was never given, and certbot's account is the only one.
    expect(await readdir(join(configDir, 'accounts'))).toEqual(accountsBefore);
    // Saved for renew, where certbot reads them too.
    const output = await certbot('renew', '--cert-name', 'hand.example.test', '--force-renewal', '--no-random-sleep-on-renew');
    expect(output).toContain('Congratulations, all renewals succeeded');
    expect(await liveVersion('hand.example.test')).toBe(2);
    const unicode = await acmeflow(['renew', '--cert-name', 'bücher.example.test', '--force-renewal', '--config-dir', configDir, '--dns-resolver', bind.server]);
    expect(unicode.code).toBe(0);
    expect(await liveVersion('xn--bcher-kva.example.test')).toBe(2);
  }, 180_000);

  it('import --from moves certbot\u2019s lineages into a stack: versions, keys, account and DNS credentials; --dry-run only plans', async () => {
    const s3 = await startS3rver();
    const secrets = await startSecretsManagerFake({ region: REGION });
    const cfn = mockClient(CloudFormationClient);
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs({ bucket: s3.bucket, kms: false })));
    const cloudClients = () => ({
      cloudFormation: new CloudFormationClient({ region: REGION }),
      s3: new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', maxAttempts: 1 }),
      sfn: new SFNClient({ region: REGION }),
      secretsManager: new SecretsManagerClient({ endpoint: secrets.endpoint, region: REGION, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 }),
    });
    const objects = async () => ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? []).map((o) => o.Key as string);
    try {
      const stack = ['--stack', STACK, '--region', REGION];
      const dry = await acmeflow(['import', '--from', configDir, ...stack, '--dry-run'], {}, cloudClients);
      // The manual-hook lineages stay: their hooks are this machine's commands.
      expect(dry.code).toBe(1);
      expect(dry.out).toContain('Would move from');
      expect(dry.out).toMatch(/ {2}rfc\.example\.test: rfc\.example\.test; versions 1, 2, 3, 4 \(current 4\); dns-rfc2136, credentials moved to Secrets Manager; account https:/);
      expect(dry.out).toContain('deployHook "echo');
      expect(dry.err).toContain('Cannot move man.example.test: the manual DNS provider runs on this machine only');
      expect(await objects()).toEqual([]);
      expect(secrets.calls).toHaveLength(0);

      const moved = await acmeflow(['import', '--from', configDir, '--cert-name', 'rfc.example.test', '--cert-name', 'hook.example.test', ...stack], {}, cloudClients);
      expect(moved.err).toBe('');
      expect(moved.code).toBe(0);
      const store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
      const lineage = (await store.getLineage('rfc.example.test'))?.lineage;
      expect(lineage?.state.currentVersion).toBe(4);
      expect(lineage?.spec.dns).toMatchObject({ provider: 'rfc2136', credentialsRef: 'acmeflow/dns/rfc.example.test' });
      expect((await store.getLineage('hook.example.test'))?.lineage.spec.hooks).toBeUndefined();
      expect((await store.getLive('rfc.example.test'))?.certPem).toBe(await readFile(join(configDir, 'live', 'rfc.example.test', 'cert.pem'), 'utf8'));
      const keys = new S3KeyStore({ bucket: s3.bucket, client: s3.client });
      expect(await keys.getCurrentCertificateKey('rfc.example.test')).toBe(await readFile(join(configDir, 'live', 'rfc.example.test', 'privkey.pem'), 'utf8'));
      const dnsSecret = JSON.parse(secrets.secret('acmeflow/dns/rfc.example.test')?.versions.at(-1)?.secretString ?? '{}') as { tsig?: { name: string; secret: string } };
      expect(dnsSecret.tsig).toEqual({ name: bind.tsig.name, secret: bind.tsig.secret, algorithm: bind.tsig.algorithm });
      // certbot's account at the same CA, as it is: the stack orders with it, no registration.
      const account = new SecretsManagerKeyStore({ client: cloudClients().secretsManager });
      const accountDir = join(configDir, 'accounts', `127.0.0.1:${new URL(pebble.directoryUrl).port}`, 'dir');
      const regr = JSON.parse(await readFile(join(accountDir, (await readdir(accountDir))[0] as string, 'regr.json'), 'utf8')) as { uri: string };
      expect((await account.getAccountKey(accountIdFor(pebble.directoryUrl)))?.accountUrl).toBe(regr.uri);
      // And under the id the lineage's conf names it by (account = <id>), which the stack's runs ask for.
      const named = (await store.getLineage('rfc.example.test'))?.lineage.spec.ca.certbotAccount;
      expect(named).toMatch(/^[0-9a-f]{32}$/);
      expect((await account.getAccountKey(accountIdFor(pebble.directoryUrl, named)))?.accountUrl).toBe(regr.uri);
      // Keys only under keys/; no secret anywhere else in the bucket.
      for (const key of await objects()) {
        if (key.startsWith('keys/')) continue;
        const body = await (await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body?.transformToString();
        expect(body, key).not.toContain('PRIVATE KEY');
        expect(body, key).not.toContain(bind.tsig.secret);
      }
      const again = await acmeflow(['import', '--from', configDir, '--cert-name', 'rfc.example.test', ...stack], {}, cloudClients);
      expect(again.out).toContain('rfc.example.test is in the stack already; left as it is.');
    } finally {
      cfn.restore();
      await secrets.stop();
      await s3.stop();
    }
  }, 120_000);

  it('shows and updates certbot\u2019s account, and unregisters it', async () => {
    const regr = JSON.parse(await readFile(join(configDir, 'accounts', `127.0.0.1:${new URL(pebble.directoryUrl).port}`, 'dir', (await readdir(join(configDir, 'accounts', `127.0.0.1:${new URL(pebble.directoryUrl).port}`, 'dir')))[0] as string, 'regr.json'), 'utf8')) as { uri: string };
    const shown = await acmeflow(['show_account', '--server', pebble.directoryUrl, '--config-dir', configDir]);
    expect(shown.code, JSON.stringify(shown.err)).toBe(0);
    expect(shown.out).toContain(`Account details for server ${pebble.directoryUrl}:\n  Account URL: ${regr.uri}\n`);
    expect(shown.out).toContain('  Email contact: ops@example.test');
    const updated = await acmeflow(['update_account', '-m', 'new@example.test', '--server', pebble.directoryUrl, '--config-dir', configDir]);
    expect(updated.out, JSON.stringify(updated.err)).toBe('Your e-mail address was updated to new@example.test.\n');
    expect((await acmeflow(['show_account', '--server', pebble.directoryUrl, '--config-dir', configDir])).out).toContain('  Email contact: new@example.test');
    expect((await acmeflow(['unregister', '--server', pebble.directoryUrl, '--config-dir', configDir])).out).toBe('Account deactivated.\n');
    const after = await acmeflow(['show_account', '--server', pebble.directoryUrl, '--config-dir', configDir]);
    expect(after.code).toBe(1);
  }, 60_000);
});
