/**
 * The proxy in front of a real Pebble (harness/pebble-proxy.ts): profiles in the directory, a
 * `profile` on newOrder echoed in the order, an unknown one refused, the lifetime Pebble's own
 * `certificateValidityPeriod`, and renewal info whose windows the test sets.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcmeProblemError,
  createAcmeContext,
  generateAccountKey,
  getDirectory,
  getOrder,
  getRenewalInfo,
  newAccount,
  revokeCertificate,
  type Account,
  type AcmeContext,
} from '../../../shared/acme/index.js';
import { signedRequest } from '../../../shared/acme/transport.js';
import { ariCertificateId, parseCertificate, pemToDer } from '../../../shared/crypto/index.js';
import { issueWithAcmeLayer, type TxtPublisher } from '../../../harness/acme-flow.js';
import { startProfiledPebble, type PebbleProxyHandle } from '../../../harness/pebble-proxy.js';

const DAY = 86_400;
let ca: PebbleProxyHandle;
let ctx: AcmeContext;
let account: Account;
let dns: TxtPublisher;

beforeAll(async () => {
  ca = await startProfiledPebble({ profiles: { classic: 'the default', shortlived: 'six days' }, pebble: { certificateValidityPeriod: 6 * DAY } });
  ctx = createAcmeContext({ directoryUrl: ca.directoryUrl, transport: ca.transport });
  const key = await generateAccountKey();
  const acct = await newAccount(ctx, key, { termsOfServiceAgreed: true, externalAccountBinding: ca.eab });
  account = { url: acct.url, key };
  dns = {
    publish: async (name, values) => {
      for (const v of values) await ca.challtestsrv!.addTxt(name, v);
    },
    unpublish: (name) => ca.challtestsrv!.clearTxt(name),
  };
}, 60_000);
afterAll(() => ca?.stop());

describe('startProfiledPebble', () => {
  it('lists the profiles and renewalInfo in the directory, with every URL at the proxy', async () => {
    const dir = await getDirectory(ctx);
    expect(dir.meta?.profiles).toEqual({ classic: 'the default', shortlived: 'six days' });
    expect(dir.meta?.externalAccountRequired).toBe(true);
    const origin = new URL(ca.directoryUrl).origin;
    expect(dir.renewalInfo).toBe(`${origin}/renewal-info`);
    expect([dir.newOrder, dir.newAccount, dir.newNonce].every((u) => u.startsWith(origin))).toBe(true);
    expect(account.url.startsWith(origin)).toBe(true);
  });

  it('issues through the real Pebble with its lifetime, and echoes the profile in the order', async () => {
    const issued = await issueWithAcmeLayer(ctx, account, ['short.example.test'], dns, { profile: 'shortlived' });
    expect(Math.round(parseCertificate(issued.certificate.selected.certificatePem).lifetimeSeconds / DAY)).toBe(6);
    expect(issued.order.profile).toBe('shortlived');
    expect((await getOrder(ctx, account, issued.order.url)).resource.profile).toBe('shortlived');
    expect(ca.orderProfiles()[issued.order.url]).toBe('shortlived');
    const plain = await issueWithAcmeLayer(ctx, account, ['plain.example.test'], dns);
    expect(plain.order.profile).toBeUndefined();
  }, 60_000);

  it('refuses a profile it does not list with invalidProfile (draft-ietf-acme-profiles)', async () => {
    const dir = await getDirectory(ctx);
    const err = await signedRequest(
      ctx,
      dir.newOrder,
      { key: account.key, accountUrl: account.url },
      { identifiers: [{ type: 'dns', value: 'x.example.test' }], profile: 'nope' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AcmeProblemError);
    expect((err as AcmeProblemError).problem.type).toBe('urn:ietf:params:acme:error:invalidProfile');
  });

  it('serves renewal windows the test sets, and a default one otherwise', async () => {
    const issued = await issueWithAcmeLayer(ctx, account, ['ari.example.test'], dns);
    const pem = issued.certificate.selected.certificatePem;
    const id = ariCertificateId(pem);
    const before = await getRenewalInfo(ctx, id);
    const info = parseCertificate(pem);
    // Let's Encrypt's shape: from two thirds of the lifetime, 2 % of it long.
    // Pebble's notAfter is one second short of the period.
    expect(Math.abs(Date.parse(before.suggestedWindow.start) - Date.parse(info.notBefore) - 4 * DAY * 1000)).toBeLessThan(1000);
    const start = new Date('2026-01-01T00:00:00Z');
    const end = new Date('2026-01-01T01:00:00Z');
    ca.setRenewalWindow(pem, { start, end, explanationURL: 'https://example.test/drill', retryAfterSeconds: 120 });
    const after = await getRenewalInfo(ctx, id);
    expect(after.suggestedWindow).toEqual({ start: start.toISOString(), end: end.toISOString() });
    expect(after.explanationURL).toBe('https://example.test/drill');
    expect(after.retryAfterSeconds).toBe(120);
    expect(ca.renewalInfoRequests()).toEqual([id, id]);
    expect(ca.moveAllRenewalWindows({ start, end })).toBe(Object.keys(ca.issuedCertificates()).length);
    expect(Object.keys(ca.issuedCertificates())).toContain(id);
  }, 60_000);

  it('leaves revocation to Pebble', async () => {
    const issued = await issueWithAcmeLayer(ctx, account, ['revoke.example.test'], dns);
    const pem = issued.certificate.selected.certificatePem;
    await revokeCertificate(ctx, { account }, pemToDer(pem), 'superseded');
    expect((await ca.pebble.certStatusBySerial(parseCertificate(pem).serialHex)).status).toBe('Revoked');
  }, 60_000);
});
