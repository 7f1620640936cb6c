/**
 * Where the verbs act: the {@link Backend} port, this machine's {@link LocalBackend}, and the choice
 * between it and the stack's. Only re-exports; `CloudBackend` is not among them, so importing this
 * module never loads the AWS SDK (selectBackend imports it with `--stack`).
 */
export type * from './backend.js';
export { certificateRows, type CertificateSource } from './certificate-rows.js';
export { LocalBackend } from './local-backend.js';
export { notYetDue } from './not-yet-due.js';
export { selectBackend } from './select-backend.js';
