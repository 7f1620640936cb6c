import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateCertificateKey, keyMatchesCertificate, pemToDer } from '../../../shared/crypto/index.js';
import { makeSelfSignedCertificate } from '../../support/certs.js';
import { otherKeys } from './test-keys.js';

describe('keyMatchesCertificate', () => {
  it.each(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const)('is true for the %s key of a certificate', async (keyType) => {
    const { certPem, privateKeyPem } = await makeSelfSignedCertificate({ domains: ['a.example'], keyType });
    expect(await keyMatchesCertificate(privateKeyPem, certPem)).toBe(true);
    expect(await keyMatchesCertificate(privateKeyPem, pemToDer(certPem))).toBe(true);
  });

  it('is true for the same key in PKCS#1 or SEC1 form', async () => {
    const rsa = otherKeys.rsa2048Pkcs1();
    const ec = otherKeys.p256Sec1();
    const rsaCert = await makeSelfSignedCertificate({ domains: ['a.example'], privateKeyPem: rsa });
    const ecCert = await makeSelfSignedCertificate({ domains: ['a.example'], privateKeyPem: ec });
    expect(await keyMatchesCertificate(rsa, rsaCert.certPem)).toBe(true);
    expect(await keyMatchesCertificate(ec, ecCert.certPem)).toBe(true);
    // and the PKCS#8 re-encoding of it
    const ecPkcs8 = createPrivateKey(ec).export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(await keyMatchesCertificate(ecPkcs8, ecCert.certPem)).toBe(true);
  });

  it('is false for another key of the same type', async () => {
    const { certPem } = await makeSelfSignedCertificate({ domains: ['a.example'] });
    const other = await generateCertificateKey('ecdsa-p256');
    expect(await keyMatchesCertificate(other.privateKeyPem, certPem)).toBe(false);
  });

  it('is false for the issuer key of a CA-signed certificate', async () => {
    const ca = await makeSelfSignedCertificate({ domains: [], commonName: 'CA', isCa: true });
    const leaf = await makeSelfSignedCertificate({ domains: ['a.example'], issuer: ca });
    expect(await keyMatchesCertificate(ca.privateKeyPem, leaf.certPem)).toBe(false);
    expect(await keyMatchesCertificate(leaf.privateKeyPem, leaf.certPem)).toBe(true);
  });

  it('is false for a key of another algorithm, including ones outside KeyType', async () => {
    const { certPem } = await makeSelfSignedCertificate({ domains: ['a.example'], keyType: 'ecdsa-p256' });
    expect(await keyMatchesCertificate(otherKeys.rsa2048Pkcs1(), certPem)).toBe(false);
    expect(await keyMatchesCertificate(otherKeys.ed25519(), certPem)).toBe(false);
    const ed25519Cert = readFileSync(new URL('./fixtures/openssl-ed25519-v1.pem', import.meta.url), 'utf8');
    expect(await keyMatchesCertificate(otherKeys.ed25519(), ed25519Cert)).toBe(false);
  });

  it('throws typed errors for a bad key or a bad certificate', async () => {
    const { certPem, privateKeyPem } = await makeSelfSignedCertificate({ domains: ['a.example'] });
    await expect(keyMatchesCertificate('nope', certPem)).rejects.toMatchObject({ name: 'PrivateKeyParseError' });
    await expect(keyMatchesCertificate(privateKeyPem, 'nope')).rejects.toMatchObject({ name: 'CertificateParseError' });
  });
});
