/**
 * The ACME layer against a real CA: Pebble requiring External Account Binding, with
 * pebble-challtestsrv as the DNS its validation authority queries.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAcmeContext,
  nodeHttpTransport,
  deactivateAccount,
  deactivateAuthorization,
  explainProblem,
  finalizeOrder,
  findAccount,
  generateAccountKey,
  getAuthorization,
  getDirectory,
  importAccountKey,
  keyChange,
  newAccount,
  newOrder,
  revokeCertificate,
  updateAccount,
  type Account,
  type AcmeContext,
} from '../../../shared/acme/index.js';
import { createCsr, generateCertificateKey, parseCertificate, pemToDer, splitPemChain } from '../../../shared/crypto/index.js';
import { issueWithAcmeLayer, type TxtPublisher } from '../../../harness/acme-flow.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';

x509.cryptoProvider.set(globalThis.crypto);

let pebble: PebbleHandle;
let ctx: AcmeContext;
let account: Account;
let dns: TxtPublisher;

const publisherFor = (p: PebbleHandle): TxtPublisher => ({
  publish: async (name, values) => {
    for (const v of values) await p.challtestsrv!.addTxt(name, v);
  },
  unpublish: (name) => p.challtestsrv!.clearTxt(name),
});

async function register(p: PebbleHandle, c: AcmeContext): Promise<Account> {
  const key = await generateAccountKey();
  const acct = await newAccount(c, key, {
    contact: ['admin@example.jp'],
    termsOfServiceAgreed: true,
    externalAccountBinding: p.eab,
  });
  return { url: acct.url, key };
}

/** Checks every signature from the leaf up to Pebble's root, which changes on every start. */
async function verifyChain(fullchainPem: string, rootPem: string): Promise<void> {
  const certs = [...splitPemChain(fullchainPem), rootPem].map((pem) => new x509.X509Certificate(pem));
  for (let i = 0; i < certs.length - 1; i++) {
    const cert = certs[i] as x509.X509Certificate;
    const issuer = certs[i + 1] as x509.X509Certificate;
    expect(cert.issuer).toBe(issuer.subject);
    expect(await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true })).toBe(true);
  }
}

beforeAll(async () => {
  pebble = await startPebble({ env: { PEBBLE_ALTERNATE_ROOTS: '1' } });
  // The default transport (node:https, keep-alive) trusting Pebble's root; other contexts below use pebble.fetch.
  ctx = createAcmeContext({ directoryUrl: pebble.directoryUrl, transport: nodeHttpTransport({ ca: pebble.caCertPem }) });
  account = await register(pebble, ctx);
  dns = publisherFor(pebble);
});
afterAll(() => pebble?.stop());

describe('directory', () => {
  it('reads meta.externalAccountRequired', async () => {
    const dir = await getDirectory(ctx);
    expect(dir.meta?.externalAccountRequired).toBe(true);
    expect(dir.renewalInfo).toBeUndefined(); // Pebble 2.4 has no ARI: the fake CA covers it
  });

  it('refuses an untrusted TLS certificate with AcmeTlsError', async () => {
    const plain = createAcmeContext({ directoryUrl: `${pebble.directoryUrl}?untrusted` });
    await expect(getDirectory(plain)).rejects.toMatchObject({ name: 'AcmeTlsError' });
  });
});

describe('accounts with External Account Binding', () => {
  it('registers with the right EAB key and finds the same account again', async () => {
    expect(account.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    const again = await newAccount(ctx, account.key, { termsOfServiceAgreed: true, externalAccountBinding: pebble.eab });
    expect(again).toMatchObject({ url: account.url, created: false, status: 'valid' });
    const found = await findAccount(ctx, account.key);
    expect(found.url).toBe(account.url);
  });

  it('accepts the HMAC key with padding too', async () => {
    const padded = pebble.eab.hmacKey + '='.repeat((4 - (pebble.eab.hmacKey.length % 4)) % 4);
    const acct = await newAccount(ctx, await generateAccountKey('ecdsa-p384'), {
      termsOfServiceAgreed: true,
      externalAccountBinding: { ...pebble.eab, hmacKey: padded },
    });
    expect(acct.created).toBe(true);
  });

  it('rejects a wrong HMAC key with a typed problem that can be explained', async () => {
    const wrong = Buffer.alloc(32, 7).toString('base64url');
    const err = await newAccount(ctx, await generateAccountKey(), {
      termsOfServiceAgreed: true,
      externalAccountBinding: { kid: pebble.eab.kid, hmacKey: wrong },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: expect.stringMatching(/^Acme(Problem|Unauthorized)Error$/), status: expect.any(Number) });
    const explanation = explainProblem((err as { problem: { type: string; detail?: string } }).problem);
    expect(explanation.en.length).toBeGreaterThan(0);
    expect(JSON.stringify(err)).not.toContain(wrong);
  });

  it('fails before sending when EAB is missing, with the externalAccountRequired explanation', async () => {
    let posts = 0;
    const counting = createAcmeContext({
      directoryUrl: pebble.directoryUrl,
      fetch: (url, init) => {
        if (init?.method === 'POST') posts++;
        return pebble.fetch(url, init);
      },
    });
    const err = await newAccount(counting, await generateAccountKey(), { termsOfServiceAgreed: true }).catch((e: unknown) => e);
    // Marked as acmeflow's refusal, so the command never shows it as the CA's detail.
    expect(err).toMatchObject({ name: 'AcmeExternalAccountRequiredError', notSent: true, status: undefined });
    expect(explainProblem((err as { problem: { type: string } }).problem).ja).toContain('EAB');
    expect(posts).toBe(0);
  });

  it('says the account does not exist for an unknown key', async () => {
    await expect(findAccount(ctx, await generateAccountKey())).rejects.toMatchObject({ name: 'AcmeAccountDoesNotExistError' });
  });

  it('updates contacts, rolls the key over and deactivates', async () => {
    const acct = await register(pebble, ctx);
    const updated = await updateAccount(ctx, acct, { contact: ['new@example.jp'] });
    expect(updated.contact).toEqual(['mailto:new@example.jp']);

    const newKey = await generateAccountKey('rsa-2048');
    const rolled = await keyChange(ctx, acct, newKey);
    expect(rolled.url).toBe(acct.url);
    expect((await findAccount(ctx, newKey)).url).toBe(acct.url);
    await expect(findAccount(ctx, acct.key)).rejects.toMatchObject({ name: 'AcmeAccountDoesNotExistError' });
    // The rolled account still orders.
    const { order } = await newOrder(ctx, rolled, { domains: ['rolled.example.com'] });
    expect(order.status).toBe('pending');

    const deactivated = await deactivateAccount(ctx, rolled);
    expect(deactivated.status).toBe('deactivated');
    await expect(newOrder(ctx, rolled, { domains: ['x.example.com'] })).rejects.toMatchObject({ name: 'AcmeUnauthorizedError' });
  });
});

describe('issuance', () => {
  it('issues ECDSA for apex + wildcard + another name, two TXT values at one record name', async () => {
    const published: Record<string, string[]> = {};
    const spy: TxtPublisher = {
      publish: async (name, values) => {
        published[name] = values;
        await dns.publish(name, values);
      },
      unpublish: dns.unpublish,
    };
    const domains = ['example.com', '*.example.com', 'www.example.org'];
    const issued = await issueWithAcmeLayer(ctx, account, domains, spy);
    expect(published['_acme-challenge.example.com']).toHaveLength(2);
    expect(published['_acme-challenge.www.example.org']).toHaveLength(1);
    const info = parseCertificate(issued.certificate.selected.certificatePem);
    expect([...info.domains].sort()).toEqual([...domains].sort());
    expect(info.keyType).toBe('ecdsa-p256');
    await verifyChain(issued.certificate.selected.fullchainPem, await pebble.rootCertificatePem());
  });

  it('issues RSA 2048 and RSA 3072 certificates', async () => {
    for (const keyType of ['rsa-2048', 'rsa-3072'] as const) {
      const issued = await issueWithAcmeLayer(ctx, account, [`${keyType}.example.net`], dns, { keyType });
      expect(parseCertificate(issued.certificate.selected.certificatePem).keyType).toBe(keyType);
    }
  });

  it('offers alternate chains and selects one by its issuer common name', async () => {
    const rootCn = async (i: number) => {
      const pem = await (await pebble.fetch(`${pebble.managementUrl}/roots/${i}`)).text();
      return parseCertificate(pem).commonName as string;
    };
    const [defaultRoot, altRoot] = [await rootCn(0), await rootCn(1)];
    expect(altRoot).not.toBe(defaultRoot);

    const plain = await issueWithAcmeLayer(ctx, account, ['chains.example.com'], dns, { preferredChain: 'No Such Root' });
    expect(plain.certificate.alternates.length).toBeGreaterThan(0);
    expect(plain.certificate.preferredMatched).toBe(false);
    expect(plain.certificate.selected.issuerCommonNames.at(-1)).toBe(defaultRoot);

    const preferred = await issueWithAcmeLayer(ctx, account, ['chains2.example.com'], dns, { preferredChain: altRoot.toUpperCase() });
    expect(preferred.certificate.preferredMatched).toBe(true);
    expect(preferred.certificate.selected.issuerCommonNames.at(-1)).toBe(altRoot);
    expect(preferred.certificate.alternates).toContain(preferred.certificate.selected.url);
  });

  it('finalize before validation answers orderNotReady, typed', async () => {
    const { order } = await newOrder(ctx, account, { domains: ['early.example.com'] });
    const key = await generateCertificateKey('ecdsa-p256');
    const csr = await createCsr({ privateKeyPem: key.privateKeyPem, domains: ['early.example.com'] });
    await expect(finalizeOrder(ctx, account, order, csr.der)).rejects.toMatchObject({ name: 'AcmeOrderNotReadyError' });
  });

  it('deactivates an authorization', async () => {
    const { order } = await newOrder(ctx, account, { domains: ['deact.example.com'] });
    const authz = await deactivateAuthorization(ctx, account, order.authorizations[0] as string);
    expect(authz.status).toBe('deactivated');
    expect((await getAuthorization(ctx, account, authz.url)).resource.status).toBe('deactivated');
  });
});

describe('revocation', () => {
  it('revokes with the account key and a reason; Pebble then says revoked', async () => {
    const issued = await issueWithAcmeLayer(ctx, account, ['revoke-me.example.com'], dns);
    const pem = issued.certificate.selected.certificatePem;
    await revokeCertificate(ctx, { account }, pemToDer(pem), 'superseded');
    const status = await pebble.certStatusBySerial(parseCertificate(pem).serialHex);
    expect(status.status).toMatch(/revoked/i);
    expect(status.revocationReason).toBe(4);
    await expect(revokeCertificate(ctx, { account }, pemToDer(pem))).rejects.toMatchObject({ type: 'urn:ietf:params:acme:error:alreadyRevoked' });
  });

  it('revokes with the certificate key (jwk header) for keyCompromise', async () => {
    const issued = await issueWithAcmeLayer(ctx, account, ['compromised.example.com'], dns);
    const pem = issued.certificate.selected.certificatePem;
    const certificateKey = importAccountKey(createPrivateKey(issued.privateKeyPem).export({ format: 'pem', type: 'pkcs8' }) as string);
    await revokeCertificate(ctx, { certificateKey }, pemToDer(pem), 'keyCompromise');
    const status = await pebble.certStatusBySerial(parseCertificate(pem).serialHex);
    expect(status.status).toMatch(/revoked/i);
    expect(status.revocationReason).toBe(1);
  });
});

describe('a CA that rejects half of all nonces', () => {
  let chaotic: PebbleHandle;
  beforeAll(async () => {
    chaotic = await startPebble({ env: { PEBBLE_WFE_NONCEREJECT: '50' } });
  });
  afterAll(() => chaotic?.stop());

  it('still registers and issues', async () => {
    const c = createAcmeContext({ directoryUrl: chaotic.directoryUrl, fetch: chaotic.fetch });
    const acct = await register(chaotic, c);
    const issued = await issueWithAcmeLayer(c, acct, ['nonce.example.com', '*.nonce.example.com'], publisherFor(chaotic));
    expect(parseCertificate(issued.certificate.selected.certificatePem).domains).toContain('*.nonce.example.com');
  });
});
