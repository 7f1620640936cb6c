export { AcmImportTarget, type AcmImportRequest, type AcmImportResult, type AcmImportTargetOptions } from './acm-import-target.js';
export { AcmAmbiguousCertificateError, AcmReimportRefusedError } from './errors.js';
