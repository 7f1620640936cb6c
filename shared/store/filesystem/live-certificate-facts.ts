import { ariCertificateId } from '../../crypto/ari-certificate-id.js';
import { parseCertificate } from '../../crypto/parse-certificate.js';
import type { CertificateSummary } from '../lineage.js';
import { readTextIfExists } from './atomic-files.js';
import type { CertbotLayout } from './certbot-layout.js';
import { liveLinkVersion } from './lineage-directories.js';
import { servedLink } from './live-link-switch.js';

/** What `live/<name>/cert.pem` says about a lineage: the version it serves and that certificate. */
export interface LiveCertificateFacts {
  readonly version: number;
  readonly current: CertificateSummary;
}

/**
 * Reads the certificate `live/<name>/cert.pem` serves, as certbot does to learn a lineage's names
 * and expiry (certbot keeps neither in the renewal conf). Undefined when nothing is served yet.
 *
 * @example
 * ```ts
 * const facts = await readLiveCertificateFacts(new CertbotLayout('/etc/letsencrypt'), 'example.com');
 * facts?.current.domains; // ['example.com', 'www.example.com']
 * ```
 */
export async function readLiveCertificateFacts(layout: CertbotLayout, name: string): Promise<LiveCertificateFacts | undefined> {
  const version = await liveLinkVersion(layout, name, 'cert');
  if (version === undefined) return undefined;
  const pem = await readTextIfExists(await servedLink(layout, name, 'cert'));
  if (pem === undefined) return undefined;
  const info = parseCertificate(pem);
  let ariId: string | undefined;
  try {
    ariId = ariCertificateId(pem);
  } catch {
    // A certificate without an Authority Key Identifier has no ARI id (RFC 9773 §4.1); renewal goes by expiry.
  }
  return {
    version,
    current: {
      serialHex: info.serialHex,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      domains: [...info.domains],
      ...(info.issuerCommonName ? { issuerCommonName: info.issuerCommonName } : {}),
      ...(ariId ? { ariCertificateId: ariId } : {}),
      ...(info.keyType ? { keyType: info.keyType } : {}),
    },
  };
}
