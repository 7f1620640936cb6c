import type { DeployWait } from '../engine/local-engine.js';

/** `2026-03-01 10:10:00 UTC`: certbot's date style, to the second. */
function utc(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * What the command says when a deploy hook waits for the lineage's deploy delay: until when, and
 * why (a CA's OCSP responder learns of a new certificate minutes after issuance; a server that
 * staples or checks OCSP before then can fail its clients), and that stopping now loses nothing.
 *
 * @example
 * ```ts
 * out.line(deployWaitMessage({ lineage: 'example.jp', version: 2, dueAt: '2026-03-01T10:10:00Z', deployDelaySeconds: 600, deployHook: 'systemctl reload nginx' }));
 * ```
 */
export function deployWaitMessage(wait: DeployWait): string {
  return (
    `The deploy hook for ${wait.lineage} runs at ${utc(wait.dueAt)}, after the deploy delay (${wait.deployDelaySeconds} s): ` +
    'the CA\u2019s OCSP responder may not know a new certificate before then, and a server that staples or checks OCSP could fail its clients. ' +
    'The certificate is saved already; if this command is stopped, the next acmeflow run runs the hook.'
  );
}
