import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { keyMatchesCertificate, parseCertificate } from '../../../shared/crypto/index.js';
import { makeSelfSignedCertificate } from '../../support/certs.js';

x509.cryptoProvider.set(globalThis.crypto);

// The shared test helper other suites rely on: check it makes what it says.
describe('test/support/certs makeSelfSignedCertificate', () => {
  it('makes a self-signed certificate that verifies with its own key', async () => {
    const { certPem, privateKeyPem } = await makeSelfSignedCertificate({ domains: ['a.example'], keyType: 'rsa-2048' });
    const cert = new x509.X509Certificate(certPem);
    expect(await cert.verify({ signatureOnly: true })).toBe(true);
    expect(await cert.isSelfSigned()).toBe(true);
    expect(cert.signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } });
    expect(await keyMatchesCertificate(privateKeyPem, certPem)).toBe(true);
    expect(certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
  });

  it('signs with the issuer key, using the hash that goes with the issuer curve', async () => {
    const ca = await makeSelfSignedCertificate({ domains: [], commonName: 'CA', isCa: true, keyType: 'ecdsa-p384' });
    const leaf = await makeSelfSignedCertificate({ domains: ['a.example'], issuer: ca, keyType: 'ecdsa-p256' });
    const cert = new x509.X509Certificate(leaf.certPem);
    const caCert = new x509.X509Certificate(ca.certPem);
    expect(await cert.verify({ publicKey: caCert.publicKey, signatureOnly: true })).toBe(true);
    expect(await cert.isSelfSigned()).toBe(false);
    expect(cert.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-384' } });
    expect(cert.issuer).toBe('CN=CA');
    expect(parseCertificate(leaf.certPem).keyType).toBe('ecdsa-p256');
  });

  it('honours validity, serial and AKI options', async () => {
    const { certPem } = await makeSelfSignedCertificate({
      domains: ['a.example'],
      notBefore: new Date('2030-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-31T00:00:00Z'),
      serialHex: '0a0b',
      authorityKeyIdentifierHex: null,
    });
    expect(parseCertificate(certPem)).toMatchObject({
      notBefore: '2030-01-01T00:00:00.000Z',
      notAfter: '2030-01-31T00:00:00.000Z',
      serialHex: '0a0b',
      authorityKeyIdentifierHex: null,
    });
  });

  it('defaults to a 90-day lifetime starting in the past', async () => {
    const info = parseCertificate((await makeSelfSignedCertificate({ domains: ['a.example'] })).certPem);
    expect(info.lifetimeSeconds).toBe(90 * 86_400);
    expect(Date.parse(info.notBefore)).toBeLessThan(Date.now());
  });
});
