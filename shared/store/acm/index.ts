export { AcmImportTarget, type AcmImportRequest, type AcmImportResult, type AcmImportTargetOptions } from './acm-import-target.js';
export { acmDeploymentName, readAcmDeployment, withAcmDeployment, type AcmDeployment } from './acm-deployment.js';
export { ACM_ISSUER_TAG, ACM_LINEAGE_TAG, acmImportTags } from './acm-tags.js';
export { decideCertificateReadiness, type CertificateReadiness, type CertificateReadinessInput } from './certificate-readiness.js';
export { assumeAcmRole, type AcmCredentialsProvider } from './assume-role.js';
export { AcmAssumeRoleError, AcmImportDeniedError, AcmReimportRefusedError } from './errors.js';
