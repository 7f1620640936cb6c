/**
 * Typed errors of the ACM import target; literal names, so Step Functions can match them. Messages
 * name the certificate and the fix, never the key.
 */
import { StoreError } from '../errors.js';

/**
 * ACM answered AccessDeniedException: the role may import only certificates tagged for its issuer
 * (`acmeflow:issuer`, `acmeflow:lineage`), or create only with those tags, and this one is not.
 */
export class AcmImportDeniedError extends StoreError {
  readonly lineage: string;
  readonly certificateArn: string | undefined;
  constructor(lineage: string, certificateArn: string | undefined, issuerTag: string | undefined, options?: { cause?: unknown }) {
    super(
      certificateArn === undefined
        ? `ACM denied importing a new certificate for the lineage "${lineage}": the role must be allowed acm:ImportCertificate with the request tags acmeflow:issuer=${issuerTag ?? '(none)'} and acmeflow:lineage=${lineage} in this region and account.`
        : `ACM denied re-importing the lineage "${lineage}" over ${certificateArn}: the hook may only replace certificates tagged acmeflow:issuer=${issuerTag ?? '(none)'} and acmeflow:lineage=${lineage}. ` +
            "If that ARN belongs to someone else, remove it from the lineage state so a new certificate is imported; if it is this issuer's, check the role (or the assumed role of another account) allows this region.",
      options,
    );
    this.name = 'AcmImportDeniedError';
    this.lineage = lineage;
    this.certificateArn = certificateArn;
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

/** The role of an ACM target in another account could not be assumed. */
export class AcmAssumeRoleError extends StoreError {
  readonly roleArn: string;
  constructor(roleArn: string, options?: { cause?: unknown }) {
    super(
      `Could not assume ${roleArn} to import into ACM: its trust policy must allow the ACM hook's role (sts:AssumeRole), and the hook's role must be allowed to assume it.`,
      options,
    );
    this.name = 'AcmAssumeRoleError';
    this.roleArn = roleArn;
  }
}
