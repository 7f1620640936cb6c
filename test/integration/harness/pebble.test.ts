import 'reflect-metadata';
import { Resolver } from 'node:dns/promises';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { isTcpPortFree } from '../../../harness/ports.js';
import { ProcessStartError } from '../../../harness/processes.js';
import { csrDer, dns01Value, externalAccountBinding, miniAcme, pollUntil } from './mini-acme.js';

const PEM_CERT = /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/;

describe('startPebble (EAB required, harness challtestsrv)', () => {
  let pebble: PebbleHandle;
  beforeAll(async () => {
    pebble = await startPebble();
  });
  afterAll(() => pebble?.stop());

  it('serves an ACME directory that requires EAB, through the returned fetch', async () => {
    const res = await pebble.fetch(pebble.directoryUrl);
    expect(res.status).toBe(200);
    const dir = (await res.json()) as Record<string, any>;
    expect(dir).toMatchObject({
      newAccount: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\//),
      newNonce: expect.any(String),
      newOrder: expect.any(String),
      meta: { externalAccountRequired: true },
    });
  });

  it('trusts the TLS CA in the returned fetch only, not in global fetch', async () => {
    await expect(fetch(pebble.directoryUrl)).rejects.toThrow(/fetch failed/);
    const viaRequest = await pebble.fetch(new Request(pebble.directoryUrl, { method: 'HEAD' }));
    expect(viaRequest.ok).toBe(true);
    expect(pebble.caCertPem).toMatch(PEM_CERT);
    expect(pebble.env.NODE_EXTRA_CA_CERTS).toBe(pebble.caCertPath);
  });

  it('hands out an EAB key as base64url without padding, 32 bytes', () => {
    expect(pebble.eab.kid).toMatch(/^kid-/);
    expect(pebble.eab.hmacKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(pebble.eab.hmacKey, 'base64url')).toHaveLength(32);
  });

  it('serves TXT records from challtestsrv', async () => {
    const dns = pebble.challtestsrv!;
    const resolver = new Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([pebble.dnsServer]);
    await dns.addTxt('_acme-challenge.harness.example', 'value-1');
    await dns.addTxt('_acme-challenge.harness.example.', 'value-2');
    const records = (await resolver.resolveTxt('_acme-challenge.harness.example')).map((chunks) => chunks.join(''));
    expect(records.sort()).toEqual(['value-1', 'value-2']);
    await dns.clearTxt('_acme-challenge.harness.example');
    await expect(resolver.resolveTxt('_acme-challenge.harness.example')).rejects.toMatchObject({ code: expect.any(String) });
  });

  it("exposes Pebble's issuing root and intermediate", async () => {
    const [root, intermediate] = await Promise.all([pebble.rootCertificatePem(), pebble.intermediateCertificatePem()]);
    expect(root).toMatch(PEM_CERT);
    expect(intermediate).toMatch(PEM_CERT);
    expect(new X509Certificate(intermediate).checkIssued(new X509Certificate(root))).toBe(true);
  });

  it('accepts its EAB key, issues by DNS-01, and reports revocation by serial', async () => {
    const acme = await miniAcme(pebble.directoryUrl, pebble.fetch);
    await expect(acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true })).rejects.toMatchObject({
      problem: { type: 'urn:ietf:params:acme:error:externalAccountRequired' },
    });
    const account = await acme.post(acme.directory.newAccount, {
      termsOfServiceAgreed: true,
      externalAccountBinding: await externalAccountBinding(acme, pebble.eab),
    });
    expect(account.json.status).toBe('valid');
    acme.accountUrl = account.headers.get('location')!;

    const domain = 'issue.harness.example';
    const order = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: domain }] });
    const orderUrl = order.headers.get('location')!;
    const authzUrl = order.json.authorizations[0] as string;
    const authz = await acme.post(authzUrl);
    const challenge = authz.json.challenges.find((c: { type: string }) => c.type === 'dns-01');
    await pebble.challtestsrv!.addTxt(`_acme-challenge.${domain}`, dns01Value(challenge.token, await acme.thumbprint()));
    await acme.post(challenge.url, {});
    const validated = await pollUntil(() => acme.post(authzUrl), (r) => r.json.status !== 'pending');
    expect(validated.json.status).toBe('valid');

    await acme.post(order.json.finalize, { csr: await csrDer(domain) });
    const done = await pollUntil(() => acme.post(orderUrl), (r) => r.json.status === 'valid' || r.json.status === 'invalid');
    expect(done.json.status).toBe('valid');
    const chainPem = (await acme.post(done.json.certificate)).text;
    const leaf = new X509Certificate(chainPem);

    const before = await pebble.certStatusBySerial(leaf.serialNumber);
    expect(before.status).toBe('Valid');
    expect(before.revocationReason).toBeUndefined();
    expect(new X509Certificate(before.certificatePem).fingerprint256).toBe(leaf.fingerprint256);

    await acme.post(acme.directory.revokeCert, { certificate: leaf.raw.toString('base64url'), reason: 4 });
    const after = await pebble.certStatusBySerial(`00${leaf.serialNumber.toLowerCase()}`);
    expect(after).toMatchObject({ status: 'Revoked', revocationReason: 4, serial: leaf.serialNumber.toLowerCase().replace(/^0+/, '') });
    expect(Math.abs(after.revokedAt!.getTime() - Date.now())).toBeLessThan(60_000);

    await expect(pebble.certStatusBySerial('0123abcd')).rejects.toThrow(/no certificate with serial 123abcd/);
  });
});

describe('startPebble options and lifecycle', () => {
  it('runs without EAB against a given DNS server, and stop() frees its ports', async () => {
    const dnsOwner = await startPebble();
    try {
      const pebble = await startPebble({ eabRequired: false, dnsServer: dnsOwner.dnsServer });
      expect(pebble.challtestsrv).toBeUndefined();
      expect(pebble.dnsServer).toBe(dnsOwner.dnsServer);
      const dir = (await (await pebble.fetch(pebble.directoryUrl)).json()) as { meta?: { externalAccountRequired?: boolean } };
      expect(dir.meta?.externalAccountRequired ?? false).toBe(false);

      const port = Number(new URL(pebble.directoryUrl).port);
      const managementPort = Number(new URL(pebble.managementUrl).port);
      expect(await isTcpPortFree(port)).toBe(false);
      await pebble.stop();
      expect(pebble.process.hasExited()).toBe(true);
      expect(await isTcpPortFree(port)).toBe(true);
      expect(await isTcpPortFree(managementPort)).toBe(true);
      await pebble.stop(); // idempotent
    } finally {
      await dnsOwner.stop();
    }
    const dnsPort = dnsOwner.challtestsrv!.dnsPort;
    expect(await isTcpPortFree(dnsPort)).toBe(true);
  });

  it("fails with Pebble's own output when it cannot start", async () => {
    const err = await startPebble({ dnsServer: '127.0.0.1:9', config: { certificate: '/nonexistent/cert.pem' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessStartError);
    expect((err as ProcessStartError).message).toMatch(/pebble exited .* before it was ready/);
    expect((err as ProcessStartError).message).toMatch(/nonexistent\/cert\.pem/);
  });

  it('rejects extra EAB keys Pebble would refuse', async () => {
    await expect(startPebble({ extraEab: { padded: 'abcd=' } })).rejects.toThrow(/base64url without padding/);
  });
});
