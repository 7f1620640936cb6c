import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { localDnsProvider, localWorkflowDeps, readEabFile, type LocalDepsOptions } from '../../../engine/index.js';
import { MemoryEventPublisher } from '../../../shared/events/index.js';
import type { Logger } from '../../../shared/workflow/index.js';
import { MemorySweepStore } from '../../../shared/store/index.js';

const propagation = vi.hoisted(() => ({ calls: [] as unknown[] }));
vi.mock('../../../shared/dns/propagation.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../shared/dns/propagation.js')>();
  return {
    ...original,
    checkPropagation: async (records: unknown, options: unknown) => {
      propagation.calls.push({ records, options });
      return { ready: true, missing: [], checkedServers: [] };
    },
  };
});

let dir: string;
let warnings: { message: string; fields?: Record<string, unknown> }[];
let log: Logger;
const HMAC = 'c2VjcmV0LWhtYWMta2V5LW9mLXRoZS10ZXN0LWVhYg';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-local-deps-'));
  warnings = [];
  log = { info: () => undefined, warn: (message, fields) => warnings.push({ message, ...(fields ? { fields } : {}) }), error: () => undefined };
  propagation.calls.length = 0;
});

function deps(overrides: Partial<LocalDepsOptions> = {}) {
  return localWorkflowDeps({
    configDir: dir,
    log,
    now: () => new Date('2026-01-01T00:00:00Z'),
    events: new MemoryEventPublisher(),
    sweeps: new MemorySweepStore(),
    contexts: new Map(),
    ...overrides,
  });
}

describe('EAB credentials', () => {
  it('reads { kid, hmacKey, algorithm } from a 0600 file without a warning', async () => {
    const file = join(dir, 'eab.json');
    await writeFile(file, JSON.stringify({ kid: 'kid-1', hmacKey: HMAC, algorithm: 'HS384' }), { mode: 0o600 });
    expect(await readEabFile(file, log)).toEqual({ kid: 'kid-1', hmacKey: HMAC, algorithm: 'HS384' });
    expect(warnings).toEqual([]);
  });

  it('warns about a file others can read, without quoting the key', async () => {
    const file = join(dir, 'open.json');
    await writeFile(file, JSON.stringify({ kid: 'kid-1', hmacKey: HMAC }), { mode: 0o644 });
    expect(await readEabFile(file, log)).toEqual({ kid: 'kid-1', hmacKey: HMAC });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields).toMatchObject({ path: file, mode: '0644' });
    expect(JSON.stringify(warnings)).not.toContain(HMAC);
  });

  it('refuses a file that is not the expected JSON, never quoting it', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, `{ "kid": "k", "hmacKey": "${HMAC}" `, { mode: 0o600 });
    const err = (await readEabFile(file, log).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ name: 'EabCredentialsError', source: 'file', ref: file });
    expect(err.message).not.toContain(HMAC);
    expect(err.cause).toBeUndefined();
    await writeFile(file, JSON.stringify({ kid: 'k' }), { mode: 0o600 });
    await expect(readEabFile(file, log)).rejects.toThrow(/hmacKey/);
    await writeFile(file, JSON.stringify({ kid: 'k', hmacKey: HMAC, algorithm: 'RS256' }), { mode: 0o600 });
    await expect(readEabFile(file, log)).rejects.toThrow(/algorithm/);
    await expect(readEabFile(join(dir, 'missing.json'), log)).rejects.toMatchObject({ name: 'EabCredentialsError' });
  });

  it('resolveEab uses the EAB given for the run, else the lineage\u2019s file', async () => {
    const file = join(dir, 'eab.json');
    await writeFile(file, JSON.stringify({ kid: 'from-file', hmacKey: HMAC }), { mode: 0o600 });
    expect(await deps({ eab: { kid: 'from-cli', hmacKey: HMAC } }).resolveEab(file)).toEqual({ kid: 'from-cli', hmacKey: HMAC });
    expect(await deps().resolveEab(file)).toEqual({ kid: 'from-file', hmacKey: HMAC });
  });
});

describe('propagation check', () => {
  it('--dns-resolver overrides the lineage\u2019s resolvers; without it the lineage\u2019s are used', async () => {
    const records = [{ name: '_acme-challenge.a.example', values: ['v'] }];
    await deps({ resolvers: ['127.0.0.1:5353'] }).checkPropagation(records, { resolvers: ['192.0.2.1:53'], timeoutMs: 10 });
    await deps().checkPropagation(records, { resolvers: ['192.0.2.1:53'] });
    expect(propagation.calls).toEqual([
      { records, options: { resolvers: ['127.0.0.1:5353'], timeoutMs: 10 } },
      { records, options: { resolvers: ['192.0.2.1:53'] } },
    ]);
  });
});

describe('DNS providers', () => {
  it('rfc2136 reads certbot\u2019s credentials INI', async () => {
    const ini = join(dir, 'rfc2136.ini');
    await writeFile(ini, 'dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_name = k.\ndns_rfc2136_secret = c2VjcmV0\n', { mode: 0o600 });
    const provider = await localDnsProvider({ provider: 'rfc2136', config: {}, credentialsRef: ini, delegations: {}, resolvers: [] }, { log });
    expect(provider.code).toBe('rfc2136');
  });

  it('acme-dns reads certbot\u2019s acmedns.json registrations; a bad file is a typed error', async () => {
    const file = join(dir, 'acmedns.json');
    const registration = { username: 'u', password: 'p4ssw0rd-secret', fulldomain: 'd.auth.example', subdomain: 'd', server_url: 'https://auth.example' };
    await writeFile(file, JSON.stringify({ 'a.example': registration }), { mode: 0o600 });
    const calls: { url: string; body: unknown }[] = [];
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
      calls.push({ url: String(url), body: JSON.parse(String(init?.body)) });
      return new Response('{}', { status: 200 });
    });
    try {
      const provider = await localDnsProvider({ provider: 'acme-dns', config: {}, credentialsRef: file, delegations: {}, resolvers: [] }, { log });
      await provider.upsertTxt({ name: '_acme-challenge.a.example', values: ['value-1'] });
    } finally {
      fetchSpy.mockRestore();
    }
    expect(calls).toEqual([{ url: 'https://auth.example/update', body: { subdomain: 'd', txt: 'value-1' } }]);

    await writeFile(file, '[1, 2]', { mode: 0o600 });
    const err = await localDnsProvider({ provider: 'acme-dns', config: {}, credentialsRef: file, delegations: {}, resolvers: [] }, { log }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ name: 'AcmeDnsCredentialsError', path: file });
  });

  it('route53 needs no credentials file (the SDK\u2019s default chain), and an unknown code is refused by the registry', async () => {
    expect((await localDnsProvider({ provider: 'route53', config: {}, delegations: {}, resolvers: [] }, { log })).code).toBe('route53');
    await expect(localDnsProvider({ provider: 'nope', config: {}, delegations: {}, resolvers: [] }, { log })).rejects.toMatchObject({
      name: 'UnknownDnsProviderError',
    });
  });
});

describe('the rest of the deps', () => {
  it('locates a lineage in certbot\u2019s live directory and caches one ACME context per CA', () => {
    const d = deps();
    expect(d.locate('example.com')).toEqual({ location: join(dir, 'live', 'example.com'), keyLocation: join(dir, 'live', 'example.com', 'privkey.pem') });
    expect(d.acme('https://ca.example/dir')).toBe(d.acme('https://ca.example/dir'));
    expect(d.acme('https://ca.example/dir')).not.toBe(d.acme('https://other.example/dir'));
    expect(d.sweeps).toBeInstanceOf(MemorySweepStore);
  });
});
