// @peculiar/x509 reads decorator metadata when it loads.
import 'reflect-metadata';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

/** A throwaway CA and one server certificate signed by it, as files. */
export interface TlsMaterial {
  /** Directory holding the files (created by {@link createTlsMaterial} unless one was given). */
  readonly dir: string;
  /** PEM of the CA certificate: what a client must trust. */
  readonly caCertPem: string;
  readonly caCertPath: string;
  /** PEM of the server certificate (leaf only; the CA signs it directly). */
  readonly certPem: string;
  readonly certPath: string;
  /** PKCS#8 PEM of the server key (ECDSA P-256). */
  readonly keyPath: string;
}

export interface CreateTlsMaterialOptions {
  /** Write into this directory instead of a new temporary one. */
  readonly dir?: string;
  /** DNS names and IP addresses the server certificate is valid for. @default ['localhost', '127.0.0.1', '::1'] */
  readonly hosts?: readonly string[];
  /** @default 7 days */
  readonly validityMs?: number;
}

const EC_P256: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/**
 * Generates a CA and a server certificate for a local TLS listener (Pebble's Debian package ships none),
 * and writes `ca.pem`, `cert.pem` and `key.pem` into a temporary directory.
 *
 * @example
 * const tls = await createTlsMaterial();
 * // server: tls.certPath + tls.keyPath; client: trust tls.caCertPem
 */
export async function createTlsMaterial(options: CreateTlsMaterialOptions = {}): Promise<TlsMaterial> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1', '::1'];
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(Date.now() + (options.validityMs ?? 7 * 24 * 60 * 60 * 1000));

  const [caKeys, serverKeys] = await Promise.all([
    crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']),
    crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']),
  ]);

  const caName = `CN=acmeflow test TLS CA ${crypto.randomUUID().slice(0, 8)}`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: caName,
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const server = await x509.X509CertificateGenerator.create({
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: ca.subject,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const pkcs8 = await crypto.subtle.exportKey('pkcs8', serverKeys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  const caCertPem = ca.toString('pem') + '\n';
  const certPem = server.toString('pem') + '\n';

  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'acmeflow-tls-')));
  const caCertPath = join(dir, 'ca.pem');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  await Promise.all([
    writeFile(caCertPath, caCertPem),
    writeFile(certPath, certPem),
    writeFile(keyPath, keyPem + '\n', { mode: 0o600 }),
  ]);
  return { dir, caCertPem, caCertPath, certPem, certPath, keyPath };
}
