/**
 * Lineages and versions for the S3 adapter tests (the PEM bodies are stand-ins the store never
 * parses), and S3's answers in the shapes the SDK gives them, for aws-sdk-client-mock.
 */
import { S3ServiceException, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { resolveLineageSpec } from '../../../../shared/config/index.js';
import type { CertificateVersion, Lineage } from '../../../../shared/store/index.js';

export function lineage(name: string, state: Partial<Lineage['state']> = {}): Lineage {
  const spec = resolveLineageSpec({
    name,
    domains: [name.includes('.') ? name : `${name}.example.com`],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: 'https://acme.test/directory' },
    dns: { provider: 'route53' },
  });
  return { spec, state: { currentVersion: 0, ...state } };
}

/** A PEM block whose body varies with `label`, so two versions never look alike by accident. */
export function pem(type: string, label: string): string {
  const body = Buffer.from(`${type}:${label}:`.padEnd(96, '.')).toString('base64');
  return `-----BEGIN ${type}-----\n${body.match(/.{1,64}/g)?.join('\n')}\n-----END ${type}-----\n`;
}

export function version(name: string, n: number, label = `${name}-${n}`): CertificateVersion {
  const certPem = pem('CERTIFICATE', `leaf ${label}`);
  const chainPem = pem('CERTIFICATE', 'intermediate');
  return {
    lineage: name,
    version: n,
    certPem,
    chainPem,
    fullchainPem: certPem + chainPem,
    meta: {
      serialHex: Buffer.from(label).toString('hex'),
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2025-03-31T23:59:59.000Z',
      domains: [`${name}`],
      orderUrl: `https://acme.test/order/${label}`,
      issuedAt: '2025-01-01T00:05:00.000Z',
      keyType: 'ecdsa-p256',
    },
  };
}

/** A PKCS#8 private key look-alike: the guard must refuse it wherever it shows up. */
export const PRIVATE_KEY_PEM = pem('PRIVATE KEY', 'secret');

/** 412: a conditional write or delete found another ETag (or the key taken). */
export const preconditionFailed = () =>
  new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }, message: 'At least one of the pre-conditions you specified did not hold' });

export const accessDenied = () => new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });

/** A GetObject answer holding `text`. */
export const objectOutput = (text: string, etag: string) =>
  ({ Body: { transformToString: async () => text }, ETag: etag, $metadata: {} }) as unknown as GetObjectCommandOutput;
