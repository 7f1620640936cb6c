import { sep } from 'node:path';
import type { RevocationReason } from '../../shared/acme/index.js';
import { LINEAGE_NAME } from '../../shared/config/index.js';
import { parseCertificate } from '../../shared/crypto/index.js';
import type { StoredLineage } from '../../shared/store/index.js';
import { s3ObjectKeys } from '../../shared/store/s3/index.js';
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

export interface CloudRevokeRequest {
  /** `--cert-name`: the lineage. */
  readonly lineage?: string;
  /** `--cert-path`, already read and parsed on this machine. */
  readonly certificate?: { readonly path: string; readonly pem: string };
  readonly reason: RevocationReason;
  /** `--server`: must be the lineage's CA. */
  readonly server?: string;
  readonly json: boolean;
}

/**
 * `revoke --stack`: starts the stack's revocation `{ lineage, reason, certificatePem? }`. The
 * lineage is `--cert-name`, or found for `--cert-path` (a file read on this machine and sent as
 * public data): by its place in certbot's layout (`.../live/<name>/cert.pem`), else by serial among
 * the bucket's lineages. With `--wait` it prints certbot's confirmation, or the CA's problem.
 *
 * @example
 * ```ts
 * await revokeInCloud(cmd, { stackName: 'Acmeflow', wait: true }, { lineage: 'example.com', reason: 'keyCompromise', json: false });
 * ```
 */
export async function revokeInCloud(cmd: CloudCommandContext, target: CloudTarget, request: CloudRevokeRequest): Promise<number> {
  const session = await openCloudSession(cmd, target, ['revocationStateMachineArn']);
  try {
    const { certificate, reason, json } = request;
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
    const base = { lineage, stack: session.stack.stackName, region: session.stack.region, executionArn: started.executionArn, executionName: started.name };
    if (!target.wait) {
      if (json) cmd.out.json({ ...base, status: 'RUNNING' });
      else {
        cmd.out.line(`Revocation of ${location} started in stack ${session.stack.stackName} (${session.stack.region}): ${started.executionArn}`);
        cmd.out.line('Add --wait to follow it here.');
      }
      return 0;
    }
    const ended = await waitForExecution(session.clients.sfn, started.executionArn, cmd.poll, (answer) => cmd.out.debug(`${new Date().toISOString()} ${answer.status}`));
    if (ended.status === 'SUCCEEDED') {
      const result = JSON.parse(ended.output ?? '{}') as { serialHex?: string; reason?: string };
      if (json) cmd.out.json({ ...base, status: 'SUCCEEDED', serialHex: result.serialHex, reason: result.reason ?? reason });
      else cmd.out.line(`Congratulations! You have successfully revoked the certificate that was located at ${location} (serial ${result.serialHex}, reason ${result.reason ?? reason}).`);
      return 0;
    }
    const failure = await executionFailure(session.clients.sfn, ended);
    if (json) cmd.out.json({ ...base, status: ended.status, error: failure });
    else {
      cmd.out.error(`The revocation ${started.name} ${ended.status === 'FAILED' ? 'failed' : `ended ${ended.status}`}: ${failure.name}.`);
      if (failure.problem) cmd.out.problem(failure.problem);
      else cmd.out.error(`  ${failure.message}`);
    }
    return 1;
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
