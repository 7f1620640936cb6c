import { sep } from 'node:path';
import { LINEAGE_NAME } from '../../shared/config/index.js';
import { parseCertificate } from '../../shared/crypto/index.js';
import type { StoredLineage } from '../../shared/store/index.js';
import { s3ObjectKeys } from '../../shared/store/s3/index.js';
import type { RevokeOutcome, RevokeRequest } from '../backend/backend.js';
import { UsageError } from '../usage-error.js';
import type { CloudCommandContext } from './cloud-context.js';
import type { CloudTarget } from './cloud-flags.js';
import { openCloudSession, type CloudSession } from './cloud-session.js';
import { executionFailure } from './execution-failure.js';
import { executionName } from './execution-name.js';
import { allLineageNames } from './lineage-names.js';
import { mapLimit } from './map-limit.js';
import { startExecution } from './start-execution.js';
import { waitForExecution } from './wait-for-execution.js';

/**
 * `revoke --stack`: starts the stack's revocation `{ lineage, reason, certificatePem? }`. The
 * lineage is `--cert-name`, or found for `--cert-path` (a file read on this machine and sent as
 * public data): by its place in certbot's layout (`.../live/<name>/cert.pem`), else by serial among
 * the bucket's lineages. With `--wait` it follows the execution and returns how it ended.
 *
 * @example
 * ```ts
 * await revokeInCloud(cmd, { stackName: 'Acmeflow', wait: true }, { lineage: 'example.com', reason: 'keyCompromise', json: false });
 * ```
 */
export async function revokeInCloud(cmd: CloudCommandContext, target: CloudTarget, request: RevokeRequest): Promise<RevokeOutcome> {
  // In the stack both may be given: the file's certificate, revoked under the named lineage.
  if (!request.certificate && !request.lineage) throw new UsageError('Name the certificate with --cert-name NAME (a lineage in the stack\u2019s bucket) or --cert-path PATH.');
  const session = await openCloudSession(cmd, target, ['revocationStateMachineArn']);
  try {
    const { certificate, reason } = request;
    const lineage = request.lineage ?? (certificate ? await lineageOfCertificate(session, certificate) : undefined);
    if (!lineage) throw new UsageError('Name the certificate with --cert-name NAME or --cert-path PATH.');
    const stored = await session.store.getLineage(lineage);
    if (!stored) throw new UsageError(`--cert-name ${lineage}: no such certificate in ${session.s3Url('renewal/')} (stack ${session.stack.stackName}, ${session.stack.region}).`);
    if (request.server && request.server !== stored.lineage.spec.ca.directoryUrl) {
      throw new UsageError(`--server ${request.server}: ${lineage} was issued by ${stored.lineage.spec.ca.directoryUrl}.`);
    }
    if (!certificate && !stored.lineage.state.current) throw new UsageError(`--cert-name ${lineage}: the lineage has no certificate yet; nothing to revoke.`);
    const started = await startExecution(session.clients.sfn, {
      stateMachineArn: session.stack.revocationStateMachineArn,
      name: executionName('revoke', lineage, (cmd.now ?? (() => new Date()))()),
      input: { lineage, reason, ...(certificate ? { certificatePem: certificate.pem } : {}) },
    });
    const location = certificate?.path ?? session.s3Url(s3ObjectKeys.live(lineage).cert);
    const execution = { stack: session.stack.stackName, region: session.stack.region, executionArn: started.executionArn, executionName: started.name };
    if (!target.wait) return { status: 'RUNNING', lineage, location, execution };
    const ended = await waitForExecution(session.clients.sfn, started.executionArn, cmd.poll, (answer) => cmd.out.debug(`${new Date().toISOString()} ${answer.status}`));
    if (ended.status === 'SUCCEEDED') {
      const result = JSON.parse(ended.output ?? '{}') as { serialHex?: string; reason?: string };
      return { status: 'SUCCEEDED', lineage, location, ...(result.serialHex ? { serialHex: result.serialHex } : {}), reason: result.reason ?? reason, execution };
    }
    return { status: 'FAILED', lineage, error: await executionFailure(session.clients.sfn, ended), execution: { ...execution, status: ended.status ?? 'FAILED' } };
  } finally {
    session.close();
  }
}

/** The lineage holding a certificate file: by its certbot path when that lineage exists, else by serial. */
async function lineageOfCertificate(session: CloudSession<'revocationStateMachineArn'>, certificate: { path: string; pem: string }): Promise<string> {
  const parts = certificate.path.split(sep);
  const at = Math.max(parts.lastIndexOf('live'), parts.lastIndexOf('archive'));
  const named = at >= 0 ? parts[at + 1] : undefined;
  if (named && LINEAGE_NAME.test(named) && (await session.store.getLineage(named))) return named;
  const serial = parseCertificate(certificate.pem).serialHex;
  const names = await allLineageNames(session.store);
  const holders = await mapLimit(names, 16, async (name): Promise<StoredLineage | undefined> => session.store.getLineage(name).catch(() => undefined));
  const index = holders.findIndex((stored) => stored?.lineage.state.current?.serialHex === serial);
  if (index < 0) {
    throw new UsageError(
      `--cert-path ${certificate.path}: no lineage in ${session.s3Url('renewal/')} holds this certificate (serial ${serial}) as its current one. Name its lineage with --cert-name NAME.`,
    );
  }
  return names[index] as string;
}
