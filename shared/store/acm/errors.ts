/**
 * Typed errors of the ACM import target; literal names, so Step Functions can match them. Messages
 * name the certificate and the fix, never the key.
 */
import { StoreError } from '../errors.js';

/** More than one imported certificate carries the lineage's tag, so which to re-import is unclear. */
export class AcmAmbiguousCertificateError extends StoreError {
  readonly lineage: string;
  readonly certificateArns: readonly string[];
  constructor(lineage: string, certificateArns: readonly string[]) {
    super(
      `${certificateArns.length} ACM certificates are tagged for the lineage "${lineage}" (${certificateArns.join(', ')}); ` +
        'delete or untag the ones no service uses, or keep the ARN to re-import in the lineage state.',
    );
    this.name = 'AcmAmbiguousCertificateError';
    this.lineage = lineage;
    this.certificateArns = certificateArns;
  }
}

/**
 * ACM cannot re-import under this ARN: the certificate there was not imported (ACM issued it), or its
 * key algorithm differs from the new certificate's (ACM keeps the key type and size on re-import).
 */
export class AcmReimportRefusedError extends StoreError {
  readonly lineage: string;
  readonly certificateArn: string;
  readonly reason: 'not-imported' | 'key-algorithm-changed';
  constructor(lineage: string, certificateArn: string, reason: 'not-imported' | 'key-algorithm-changed', detail: string) {
    super(
      reason === 'not-imported'
        ? `${certificateArn} was issued by ACM, not imported, so the lineage "${lineage}" cannot be re-imported over it (${detail}); remove the ARN from the lineage state to import a new certificate.`
        : `${certificateArn} holds a ${detail}; ACM keeps the key algorithm on re-import. Import the lineage "${lineage}" as a new certificate (remove the ARN from its state) and move the services to it.`,
    );
    this.name = 'AcmReimportRefusedError';
    this.lineage = lineage;
    this.certificateArn = certificateArn;
    this.reason = reason;
  }
}
