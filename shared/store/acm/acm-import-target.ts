import { ACMClient, DescribeCertificateCommand, ImportCertificateCommand, type KeyAlgorithm } from '@aws-sdk/client-acm';
import { LINEAGE_NAME } from '../../config/lineage-spec.js';
import { parseCertificate, type KeyType } from '../../crypto/index.js';
import { StoreError } from '../errors.js';
import { acmImportTags } from './acm-tags.js';
import { AcmImportDeniedError, AcmReimportRefusedError } from './errors.js';

/** Options of {@link AcmImportTarget}. */
export interface AcmImportTargetOptions {
  /** A ready client (in the region of the services that use the certificate). @default new ACMClient({}) */
  readonly client?: ACMClient;
  /**
   * The value of the `acmeflow:issuer` tag put on new imports (with `acmeflow:lineage=<name>`); the
   * construct's hook policy allows imports only over certificates that carry it. @default none: the lineage tag only
   */
  readonly issuerTag?: string;
  /** The name its facts are kept under in the lineage state's `deployments`. @default 'acm' */
  readonly name?: string;
}

/** What to import: the lineage's current certificate and its key (read from the key store by the caller). */
export interface AcmImportRequest {
  readonly lineage: string;
  readonly certificatePem: string;
  /** The intermediates, PEM; empty for none. */
  readonly chainPem: string;
  readonly privateKeyPem: string;
  /** The ARN this lineage was imported under before (kept in lineage state); absent: a new certificate. */
  readonly certificateArn?: string;
}

export interface AcmImportResult {
  /** Keep it in lineage state: the next renewal re-imports under it. */
  readonly certificateArn: string;
  /** True when an existing certificate was replaced under its ARN, false when a new one was created. */
  readonly reimported: boolean;
}

/** ACM's key algorithm names for acmeflow's key types. */
const ACM_KEY_ALGORITHM: Readonly<Record<KeyType, KeyAlgorithm>> = {
  'rsa-2048': 'RSA_2048',
  'rsa-3072': 'RSA_3072',
  'rsa-4096': 'RSA_4096',
  'ecdsa-p256': 'EC_prime256v1',
  'ecdsa-p384': 'EC_secp384r1',
};

// Both spellings are accepted ("RSA_2048" as the API model has it, and "RSA-2048"), so a change of
// spelling in DescribeCertificate answers cannot turn a valid re-import into a refusal.
const sameAlgorithm = (a: string, b: string): boolean => a.replace(/-/g, '_') === b.replace(/-/g, '_');

const errorName = (error: unknown): string | undefined => (typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name) : undefined);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * Deploys a lineage's certificate to AWS Certificate Manager, keeping its ARN across renewals so the
 * load balancers, CloudFront distributions and API Gateway domains that use it need no change.
 *
 * - The ARN to re-import under is the one given, which the caller keeps in the lineage state (written
 *   after the first import). The account is never listed: a listing needs `Resource: "*"` and would
 *   find certificates this issuer has no business with. Before re-importing, DescribeCertificate
 *   checks the certificate is an imported one with the same key algorithm: ACM refuses anything else
 *   on re-import, and {@link AcmReimportRefusedError} says what to do instead.
 * - Re-import is ImportCertificate with `CertificateArn` and no tags (ACM forbids tags on re-import;
 *   the certificate kept the ones it was created with).
 * - Without an ARN, or when the ARN no longer exists, a new certificate is imported with the tags
 *   `acmeflow:lineage=<name>` and, when given, `acmeflow:issuer=<issuerTag>`.
 * - An `AccessDeniedException` (the hook's policy allows only certificates carrying its tags) is
 *   {@link AcmImportDeniedError}, naming the ARN.
 * - The key goes to ImportCertificate only; no error message carries it.
 *
 * @example
 * ```ts
 * const acm = new AcmImportTarget({ client: new ACMClient({ region: 'us-east-1' }) });
 * const { certificateArn } = await acm.importCertificate({
 *   lineage: 'example.com', certificatePem, chainPem, privateKeyPem, certificateArn: lineage.state.deployments?.acm?.certificateArn,
 * });
 * ```
 */
export class AcmImportTarget {
  /** The key of this target's facts in the lineage state's `deployments`. */
  readonly name: string;
  readonly #client: ACMClient;
  readonly #issuerTag: string | undefined;

  constructor(options: AcmImportTargetOptions = {}) {
    this.name = options.name ?? 'acm';
    this.#client = options.client ?? new ACMClient({});
    this.#issuerTag = options.issuerTag;
  }

  /**
   * The workflow's deploy-target shape (StoreCertificate calls it after storing a version): imports
   * `certPem` and answers `{ certificateArn }`, which the workflow keeps in the lineage state and
   * passes back as `previous` on the next renewal, so the re-import lands under the same ARN.
   */
  async deploy(input: {
    lineage: string;
    certPem: string;
    chainPem: string;
    privateKeyPem: string;
    previous?: Readonly<Record<string, string>>;
  }): Promise<{ certificateArn: string }> {
    const known = input.previous?.certificateArn;
    const { certificateArn } = await this.importCertificate({
      lineage: input.lineage,
      certificatePem: input.certPem,
      chainPem: input.chainPem,
      privateKeyPem: input.privateKeyPem,
      ...(known === undefined || known === '' ? {} : { certificateArn: known }),
    });
    return { certificateArn };
  }

  async importCertificate(request: AcmImportRequest): Promise<AcmImportResult> {
    assertLineage(request.lineage);
    const keyAlgorithm = this.#keyAlgorithmOf(request.certificatePem);
    const arn = request.certificateArn;
    if (arn !== undefined && (await this.#reimportable(request.lineage, arn, keyAlgorithm))) {
      try {
        await this.#client.send(new ImportCertificateCommand({ CertificateArn: arn, ...this.#material(request) }));
      } catch (error) {
        // Deleted between the check and the import: fall through to a new import.
        if (errorName(error) === 'ResourceNotFoundException') return this.#importNew(request);
        throw this.#denied(error, request.lineage, arn);
      }
      return { certificateArn: arn, reimported: true };
    }
    return this.#importNew(request);
  }

  /** Whether `arn` exists and can take this certificate; throws when it exists and cannot. */
  async #reimportable(lineage: string, arn: string, keyAlgorithm: KeyAlgorithm | undefined): Promise<boolean> {
    let certificate;
    try {
      ({ Certificate: certificate } = await this.#client.send(new DescribeCertificateCommand({ CertificateArn: arn })));
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw this.#denied(error, lineage, arn);
    }
    if (certificate?.Type !== undefined && certificate.Type !== 'IMPORTED') {
      throw new AcmReimportRefusedError(lineage, arn, 'not-imported', `type ${certificate.Type}`);
    }
    const existing = certificate?.KeyAlgorithm;
    if (keyAlgorithm !== undefined && existing !== undefined && !sameAlgorithm(existing, keyAlgorithm)) {
      throw new AcmReimportRefusedError(lineage, arn, 'key-algorithm-changed', `${existing} key and the new certificate a ${keyAlgorithm} key`);
    }
    return true;
  }

  async #importNew(request: AcmImportRequest): Promise<AcmImportResult> {
    let answer;
    try {
      answer = await this.#client.send(new ImportCertificateCommand({ ...this.#material(request), Tags: acmImportTags(request.lineage, this.#issuerTag) }));
    } catch (error) {
      throw this.#denied(error, request.lineage, undefined);
    }
    if (answer.CertificateArn === undefined) throw new StoreError(`ACM imported the certificate of "${request.lineage}" without answering its ARN.`);
    return { certificateArn: answer.CertificateArn, reimported: false };
  }

  #denied(error: unknown, lineage: string, arn: string | undefined): unknown {
    return errorName(error) === 'AccessDeniedException' ? new AcmImportDeniedError(lineage, arn, this.#issuerTag, { cause: error }) : error;
  }

  #material(request: AcmImportRequest) {
    return {
      Certificate: encode(request.certificatePem),
      PrivateKey: encode(request.privateKeyPem),
      ...(request.chainPem.trim() === '' ? {} : { CertificateChain: encode(request.chainPem) }),
    };
  }

  #keyAlgorithmOf(certificatePem: string): KeyAlgorithm | undefined {
    const keyType = parseCertificate(certificatePem).keyType;
    return keyType === null ? undefined : ACM_KEY_ALGORITHM[keyType];
  }
}

function assertLineage(lineage: string): void {
  if (!LINEAGE_NAME.test(lineage)) throw new StoreError(`"${lineage}" is not a lineage name: use letters, digits, ".", "_" and "-", starting with a letter or digit.`);
}
