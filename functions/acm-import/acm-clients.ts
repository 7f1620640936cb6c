import { ACMClient, type ACMClientConfig } from '@aws-sdk/client-acm';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { AcmImportTarget } from '../../shared/store/acm/acm-import-target.js';
import { assumeAcmRole } from '../../shared/store/acm/assume-role.js';
import type { AcmImporter } from './handler.js';
import type { AcmTarget } from './targets.js';

export interface AcmImporterFactoryOptions {
  /** The region of targets that name none (the function's). */
  readonly defaultRegion: string;
  /** The `acmeflow:issuer` tag value of new imports. */
  readonly issuerTag?: string;
  /** Extra ACM client settings (an endpoint, in tests). @default none */
  readonly acmConfig?: (region: string) => ACMClientConfig;
  /** Extra STS client settings. @default none */
  readonly stsConfig?: STSClientConfig;
}

/**
 * One `AcmImportTarget` per target, each with an ACM client in the target's region (us-east-1 for
 * CloudFront), and for a target in another account, credentials of the role it names, assumed
 * through STS in the function's own region. Built once per target and kept for the warm container.
 *
 * @example
 * ```ts
 * const acmFor = acmImporterFactory({ defaultRegion: 'eu-west-1', issuerTag: 'eu-west-1/ProdIssuer' });
 * await acmFor({ name: 'acm:us-east-1', region: 'us-east-1' }).importCertificate(request);
 * ```
 */
export function acmImporterFactory(options: AcmImporterFactoryOptions): (target: AcmTarget) => AcmImporter {
  const built = new Map<string, AcmImporter>();
  let sts: STSClient | undefined;
  return (target) => {
    const existing = built.get(target.name);
    if (existing) return existing;
    const region = target.region ?? options.defaultRegion;
    let credentials: ACMClientConfig['credentials'];
    if (target.roleArn !== undefined) {
      sts ??= new STSClient({ region: options.defaultRegion, ...options.stsConfig });
      credentials = assumeAcmRole(sts, target.roleArn);
    }
    const client = new ACMClient({ region, ...options.acmConfig?.(region), ...(credentials === undefined ? {} : { credentials }) });
    const importer = new AcmImportTarget({ client, name: target.name, ...(options.issuerTag === undefined ? {} : { issuerTag: options.issuerTag }) });
    built.set(target.name, importer);
    return importer;
  };
}
