import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rfc2136DnsProvider } from '../../../../shared/dns/providers/rfc2136/rfc2136.js';
import { TSIG_ALGORITHMS, type TsigKey } from '../../../../shared/dns/providers/rfc2136/tsig.js';
import { startBind, type BindHandle } from '../../../../harness/bind.js';

const secret = (): string => randomBytes(32).toString('base64');
const KEY: TsigKey = { name: 'acmeflow-test.', algorithm: 'hmac-sha512', secret: secret() };
const OTHER_CLIENT: TsigKey = { name: 'other-client.', algorithm: 'hmac-sha256', secret: secret() };
const LIMITED: TsigKey = { name: 'limited.', algorithm: 'hmac-sha256', secret: secret() };
const PER_ALGORITHM: TsigKey[] = TSIG_ALGORITHMS.map((algorithm) => ({ name: `key-${algorithm}.`, algorithm, secret: secret() }));

let bind: BindHandle;

beforeAll(async () => {
  bind = await startBind({
    zones: ['example.test', 'other.test'],
    tsig: KEY,
    extraKeys: [OTHER_CLIENT, LIMITED, ...PER_ALGORITHM],
    updatePolicy: (zone, keyNames) => [
      ...keyNames.filter((name) => name !== LIMITED.name).map((name) => `grant ${name} zonesub TXT;`),
      `grant ${LIMITED.name} name _acme-challenge.limited.${zone}. TXT;`,
    ],
  });
});

afterAll(async () => {
  await bind?.stop();
});

function provider(key: TsigKey = KEY, config: Record<string, unknown> = {}): Rfc2136DnsProvider {
  return new Rfc2136DnsProvider({ server: bind.host, port: bind.port, tsig: key, ...config });
}

describe('Rfc2136DnsProvider against BIND', () => {
  it('merges values: two of ours, then a third from another client', async () => {
    const name = '_acme-challenge.merge.example.test';
    const ref = await provider().upsertTxt({ name, values: ['ours-1', 'ours-2'] });
    expect(ref).toEqual({ provider: 'rfc2136', zone: 'example.test', server: bind.server });
    await provider(OTHER_CLIENT).upsertTxt({ name, values: ['foreign'] });
    expect(await bind.queryTxt(name)).toEqual(['foreign', 'ours-1', 'ours-2']);

    // idempotent: the same upsert again changes nothing
    await provider().upsertTxt({ name, values: ['ours-1', 'ours-2'] });
    expect(await bind.queryTxt(name)).toEqual(['foreign', 'ours-1', 'ours-2']);

    // delete removes only our values; the foreign one stays
    await provider().deleteTxt({ name, values: ['ours-1', 'ours-2'] });
    expect(await bind.queryTxt(name)).toEqual(['foreign']);

    // deleting again is success
    await expect(provider().deleteTxt({ name, values: ['ours-1', 'ours-2'] })).resolves.toBeUndefined();
    expect(await bind.queryTxt(name)).toEqual(['foreign']);
  });

  it('deletes a name that never existed without error', async () => {
    await expect(provider().deleteTxt({ name: '_acme-challenge.never.example.test', values: ['x'] })).resolves.toBeUndefined();
  });

  it.each(PER_ALGORITHM.map((key) => [key.algorithm, key] as const))('signs and verifies with %s', async (_algorithm, key) => {
    const name = `_acme-challenge.${key.algorithm}.example.test`;
    await provider(key, { signQuery: true }).upsertTxt({ name, values: ['v'] });
    expect(await bind.queryTxt(name)).toEqual(['v']);
    await provider(key).deleteTxt({ name, values: ['v'] });
    expect(await bind.queryTxt(name)).toEqual([]);
  });

  it('falls back to TCP for an update too large for UDP', async () => {
    const name = '_acme-challenge.big.example.test';
    const values = Array.from({ length: 20 }, (_, index) => `${index}`.padStart(43, 'v'));
    await provider().upsertTxt({ name, values });
    expect(await bind.queryTxt(name)).toEqual([...values].sort());
    await provider().deleteTxt({ name, values });
    expect(await bind.queryTxt(name)).toEqual([]);
  });

  it('rejects a wrong secret with a typed error naming the key and the zone', async () => {
    const error = await provider({ ...KEY, secret: secret() })
      .upsertTxt({ name: '_acme-challenge.example.test', values: ['v'] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'Rfc2136TsigError', keyName: KEY.name, tsigError: 'BADSIG', zone: 'example.test', record: '_acme-challenge.example.test' });
    expect((error as Error).message).toContain(KEY.name);
    expect((error as Error).message).toContain('zone example.test');
    expect((error as Error).message).toContain('Fix:');
    expect(await bind.queryTxt('_acme-challenge.example.test')).toEqual([]);
  });

  it('rejects an unknown key (BADKEY)', async () => {
    const error = await provider({ name: 'unknown-key.', algorithm: 'hmac-sha256', secret: secret() })
      .upsertTxt({ name: '_acme-challenge.example.test', values: ['v'] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'Rfc2136TsigError', keyName: 'unknown-key.', tsigError: 'BADKEY' });
  });

  it('reports the server policy refusing the key (REFUSED) with the grant to add', async () => {
    await provider(LIMITED).upsertTxt({ name: '_acme-challenge.limited.example.test', values: ['allowed'] });
    const error = await provider(LIMITED)
      .upsertTxt({ name: '_acme-challenge.www.example.test', values: ['v'] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'Rfc2136UpdateRefusedError',
      record: '_acme-challenge.www.example.test',
      zone: 'example.test',
      fix: expect.stringContaining('grant limited. name _acme-challenge.www.example.test. TXT;'),
    });
    await provider(LIMITED).deleteTxt({ name: '_acme-challenge.limited.example.test', values: ['allowed'] });
  });

  it('reports a name in a zone the server does not have', async () => {
    const error = await provider()
      .upsertTxt({ name: '_acme-challenge.example.invalid', values: ['v'] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'Rfc2136ZoneError', record: '_acme-challenge.example.invalid' });
    expect((error as Error).message).toContain(bind.server);
  });

  it('reports a configured zone the server does not have', async () => {
    const error = await provider(KEY, { zone: 'example.invalid' })
      .upsertTxt({ name: '_acme-challenge.example.invalid', values: ['v'] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'Rfc2136ZoneError', zone: 'example.invalid' });
  });

  it('finds nested zones: a name in other.test', async () => {
    const name = '_acme-challenge.deep.sub.other.test';
    await expect(provider().upsertTxt({ name, values: ['v'] })).resolves.toMatchObject({ zone: 'other.test' });
    expect(await bind.queryTxt(name)).toEqual(['v']);
    await provider().deleteTxt({ name, values: ['v'] });
  });
});
