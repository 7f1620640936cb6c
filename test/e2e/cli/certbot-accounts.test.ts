/**
 * A certbot config directory with two accounts at one CA: each lineage renews with the account its
 * renewal conf names (`account = <id>`, certbot's `--account`), not the CA's first one; a conf naming
 * an account that is not there fails that lineage alone, naming the id and the accounts present.
 * The real certbot registers both accounts (each in its own config directory, as certbot refuses a
 * second registration in one; the second is then copied beside the first) and makes the lineages
 * against Pebble and BIND 9. Pebble's list of each account's orders tells which key signed the order.
 * Skipped, saying so, where /usr/bin/certbot or its rfc2136 plugin is not installed.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../support/run-main.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';
import { createAcmeContext, importAccountKey } from '../../../shared/acme/index.js';
import type { AcmeHttpResponse } from '../../../shared/acme/http.js';
import { postAsGet } from '../../../shared/acme/transport.js';
import { findCertbotAccounts } from '../../../shared/store/filesystem/certbot-accounts.js';
import { CertbotLayout } from '../../../shared/store/filesystem/index.js';
import { accountIdFor } from '../../../shared/workflow/index.js';

const CERTBOT = '/usr/bin/certbot';
const RFC2136_PLUGIN = '/usr/lib/python3/dist-packages/certbot_dns_rfc2136';
const hasCertbot = existsSync(CERTBOT) && existsSync(RFC2136_PLUGIN);
const exec = promisify(execFile);

let bind: BindHandle;
let pebble: PebbleHandle;
let work: string;
let configDir: string;
let credentials: string;
/** certbot's account ids, first registered first. */
let first: string;
let second: string;

async function certbot(dir: string, ...args: string[]): Promise<string> {
  const { stdout, stderr } = await exec(CERTBOT, [...args, '--config-dir', dir, '--work-dir', join(work, 'work'), '--logs-dir', join(work, 'logs'), '--non-interactive'], {
    env: { ...process.env, ...pebble.env, LANG: 'C.UTF-8' },
  });
  return `${stdout}\n${stderr}`;
}

async function acmeflow(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runMain(args, {
    env: { LANG: 'C', HOME: work },
    waitScale: 0.02,
    fetch: pebble.fetch,
  });
}

async function liveVersion(name: string): Promise<number> {
  return Number(/cert(\d+)\.pem$/.exec(await readlink(join(configDir, 'live', name, 'cert.pem')))?.[1]);
}

/** The order URLs Pebble lists for one certbot account (RFC 8555 §7.1.2.1), asked with that account's key, every page. */
async function ordersOf(id: string): Promise<string[]> {
  const account = (await findCertbotAccounts(new CertbotLayout(configDir), accountIdFor(pebble.directoryUrl))).find((a) => a.id === id);
  if (!account) throw new Error(`no certbot account ${id}`);
  const ctx = createAcmeContext({ directoryUrl: pebble.directoryUrl, fetch: pebble.fetch });
  const signer = { key: importAccountKey(account.key.privateKeyPem), accountUrl: account.key.accountUrl as string };
  const { body: resource } = await postAsGet<{ orders?: string }>(ctx, signer.accountUrl, signer);
  if (!resource.orders) throw new Error('Pebble lists no orders URL for the account');
  // Pebble pages the list (three a page), linking the next page with rel="next" (RFC 8555 §7.1.2.1).
  const orders: string[] = [];
  for (let url: string | undefined = resource.orders; url !== undefined; ) {
    const page: { body: { orders: string[] }; res: AcmeHttpResponse } = await postAsGet<{ orders: string[] }>(ctx, url, signer);
    orders.push(...page.body.orders);
    url = page.res.links.next?.[0];
  }
  return orders;
}

const rfc2136 = () => ['--dns-rfc2136', '--dns-rfc2136-credentials', credentials, '--dns-rfc2136-propagation-seconds', '1'];

beforeAll(async () => {
  if (!hasCertbot) return;
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-certbot-accounts-'));
  configDir = join(work, 'letsencrypt');
  credentials = join(work, 'rfc2136.ini');
  await writeRfc2136Credentials(credentials, bind);
  const eab = ['--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey];
  const otherDir = join(work, 'other');
  await certbot(configDir, 'register', '--server', pebble.directoryUrl, '--agree-tos', '-m', 'first@example.test', ...eab);
  await certbot(otherDir, 'register', '--server', pebble.directoryUrl, '--agree-tos', '-m', 'second@example.test', ...eab);
  const server = join('accounts', `127.0.0.1:${new URL(pebble.directoryUrl).port}`, 'dir');
  [first] = (await readdir(join(configDir, server))) as [string];
  [second] = (await readdir(join(otherDir, server))) as [string];
  await cp(join(otherDir, server, second), join(configDir, server, second), { recursive: true });
  await certbot(configDir, 'certonly', '--server', pebble.directoryUrl, '--account', second, ...rfc2136(), '-d', 'second.example.test');
  await certbot(configDir, 'certonly', '--server', pebble.directoryUrl, '--account', first, ...rfc2136(), '-d', 'first.example.test');
}, 180_000);
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!hasCertbot)(`certbot's account per lineage (needs ${CERTBOT} and python3-certbot-dns-rfc2136)`, () => {
  it('renews a lineage with the account its conf names, though another account at the CA is older', async () => {
    expect(await readFile(join(configDir, 'renewal', 'second.example.test.conf'), 'utf8')).toContain(`\naccount = ${second}\n`);
    const before = { first: await ordersOf(first), second: await ordersOf(second) };
    const r = await acmeflow([
      'renew',
      '--config-dir',
      configDir,
      '--cert-name',
      'second.example.test',
      '--force-renewal',
      '--no-random-sleep-on-renew',
      '--dns-resolver',
      bind.server,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await liveVersion('second.example.test')).toBe(2);
    // The new order is the second account's: Pebble lists it there, and the first account has none more.
    expect((await ordersOf(second)).length).toBe(before.second.length + 1);
    expect(await ordersOf(first)).toEqual(before.first);
    // Written back as certbot keeps it, so certbot renews with the same account.
    expect(await readFile(join(configDir, 'renewal', 'second.example.test.conf'), 'utf8')).toContain(`\naccount = ${second}\n`);
    // No account was registered beside certbot's two.
    expect((await readdir(join(configDir, 'accounts'))).length).toBe(1);
  }, 120_000);

  it('certonly over a certbot lineage keeps its account (account = <id> stays; the order is that account\u2019s)', async () => {
    const before = { first: await ordersOf(first), second: await ordersOf(second) };
    const r = await acmeflow([
      'certonly',
      '--cert-name',
      'second.example.test',
      '--force-renewal',
      ...rfc2136(),
      '--dns-resolver',
      bind.server,
      '--server',
      pebble.directoryUrl,
      '--config-dir',
      configDir,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await readFile(join(configDir, 'renewal', 'second.example.test.conf'), 'utf8')).toContain(`\naccount = ${second}\n`);
    expect((await ordersOf(second)).length).toBe(before.second.length + 1);
    expect(await ordersOf(first)).toEqual(before.first);
  }, 120_000);

  it('fails a lineage whose conf names a missing account, naming it and the accounts present; the other lineage renews', async () => {
    const path = join(configDir, 'renewal', 'first.example.test.conf');
    const missing = '0123456789abcdef0123456789abcdef';
    await writeFile(path, (await readFile(path, 'utf8')).replace(`\naccount = ${first}\n`, `\naccount = ${missing}\n`));
    const before = { first: await ordersOf(first), second: await ordersOf(second) };
    const r = await acmeflow(['renew', '--config-dir', configDir, '--force-renewal', '--no-random-sleep-on-renew', '--dns-resolver', bind.server]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('CertbotAccountNotFoundError');
    expect(r.err).toContain(`account = ${missing}`);
    for (const id of [first, second]) expect(r.err).toContain(id);
    expect(r.err).toContain('acmeflow explain CertbotAccountNotFoundError');
    expect(await liveVersion('first.example.test')).toBe(1);
    expect(await liveVersion('second.example.test')).toBe(4);
    // Neither another account's order nor a new registration stood in for the missing one.
    expect(await ordersOf(first)).toEqual(before.first);
    expect((await ordersOf(second)).length).toBe(before.second.length + 1);
    expect((await readdir(join(configDir, 'accounts'))).length).toBe(1);
  }, 120_000);
});
