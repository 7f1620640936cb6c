import { S3SweepStore, s3ObjectKeys } from '../../shared/store/s3/index.js';
import type { RenewOutcome, RenewRequest } from '../backend/backend.js';
import { UsageError } from '../usage-error.js';
import type { CloudCommandContext } from './cloud-context.js';
import type { CloudTarget } from './cloud-flags.js';
import { openCloudSession } from './cloud-session.js';
import { executionFailure } from './execution-failure.js';
import { executionName } from './execution-name.js';
import { mapLimit } from './map-limit.js';
import { startExecution } from './start-execution.js';
import { waitForExecution } from './wait-for-execution.js';

/** Clocks of this machine and of the stack may differ a little. */
const CLOCK_SKEW_MS = 60_000;

/** A failed lineage without a failure of this sweep recorded on it (a dry run records none). */
const UNRECORDED = { name: 'IssuanceFailed', message: 'See the "Certificate Issuance Failed" event, or the issuance execution in the Step Functions console.' };

/** The sweep's result (CompleteSweep's output). */
interface SweepSummary {
  readonly attempted: number;
  readonly renewed: string[];
  readonly failed: string[];
  readonly skipped: number;
}

/**
 * `renew --stack`: starts the stack's renewal sweep `{ lineages?, force, dryRun }`; each due lineage
 * gets its own issuance execution there. With `--wait` it follows the sweep and returns what
 * `acmeflow renew` reports: each renewed lineage with its new version and expiry (read back from the
 * bucket), each failed one with the failure its lineage recorded.
 *
 * @example
 * ```ts
 * await renewInCloud(cmd, { stackName: 'Acmeflow', wait: true }, { names: [], force: false, dryRun: false, json: false, hooks: {} });
 * ```
 */
export async function renewInCloud(cmd: CloudCommandContext, target: CloudTarget, request: RenewRequest): Promise<RenewOutcome> {
  const session = await openCloudSession(cmd, target, ['sweepStateMachineArn']);
  try {
    const { names, force, dryRun, json } = request;
    const found = await mapLimit(names, 8, async (name) => (await session.store.getLineage(name)) !== undefined);
    const unknown = names.filter((_, i) => !found[i]);
    if (unknown.length > 0) {
      throw new UsageError(`--cert-name ${unknown.join(', ')}: no such certificate in ${session.s3Url('renewal/')} (stack ${session.stack.stackName}, ${session.stack.region}). See "acmeflow certificates --stack ${target.stackName}".`);
    }
    const startedAt = (cmd.now ?? (() => new Date()))();
    const started = await startExecution(session.clients.sfn, {
      stateMachineArn: session.stack.sweepStateMachineArn,
      name: executionName('renew', names.length === 1 ? names[0] : undefined, startedAt),
      input: { ...(names.length > 0 ? { lineages: [...names] } : {}), force, dryRun },
    });
    const execution = { stack: session.stack.stackName, region: session.stack.region, executionArn: started.executionArn, executionName: started.name };
    if (!target.wait) return { status: 'RUNNING', execution };
    if (!json) cmd.out.line(`Renewal sweep started in stack ${session.stack.stackName} (${session.stack.region}): ${started.executionArn}`);
    const ended = await waitForExecution(session.clients.sfn, started.executionArn, cmd.poll, (answer) => cmd.out.debug(`${new Date().toISOString()} ${answer.status}`));
    if (ended.status !== 'SUCCEEDED') {
      return { status: 'FAILED', execution: { ...execution, status: ended.status ?? 'FAILED' }, error: await executionFailure(session.clients.sfn, ended) };
    }
    const summary = JSON.parse(ended.output ?? '{}') as SweepSummary;
    const renewed = summary.renewed ?? [];
    const failed = summary.failed ?? [];
    const stored = await mapLimit([...renewed, ...failed], 8, async (name) => (await session.store.getLineage(name).catch(() => undefined))?.lineage.state);
    // Why the CA wanted these renewed early (its ARI explanationURL, RFC 9773 §4.2), from the sweep's
    // plan; the explanation is a courtesy, so a plan that cannot be read leaves it out.
    const explanations =
      renewed.length === 0
        ? new Map<string, string>()
        : await new S3SweepStore({ bucket: session.stack.bucketName, client: session.clients.s3 }).planExplanations(started.name).catch((error: unknown) => {
            cmd.out.debug(`The sweep's plan could not be read for the CA's explanations: ${(error as Error).message}`);
            return new Map<string, string>();
          });
    const succeeded = renewed.map((lineage, i) => {
      const state = stored[i];
      const ariExplanationURL = explanations.get(lineage);
      return { lineage, status: 'succeeded' as const, version: state?.currentVersion, notAfter: state?.current?.notAfter, ...(ariExplanationURL ? { ariExplanationURL } : {}) };
    });
    const failures = failed.map((lineage, i) => {
      const recorded = stored[renewed.length + i]?.failures;
      // The certificate still served: `renew` warns when it expires within 7 days.
      const notAfter = stored[renewed.length + i]?.current?.notAfter;
      // A dry run records no failure on the lineage, and an older record is not this sweep's.
      const fresh = !dryRun && recorded && Date.parse(recorded.lastFailureAt) >= startedAt.getTime() - CLOCK_SKEW_MS ? recorded : undefined;
      return {
        lineage,
        status: 'failed' as const,
        ...(fresh ? { recorded: { ...fresh, lineageUrl: session.s3Url(s3ObjectKeys.renewal(lineage)) } } : { error: UNRECORDED }),
        ...(notAfter ? { notAfter } : {}),
      };
    });
    const results = [
      ...succeeded.map((r) => ({ ...r, ...(dryRun ? {} : { certificateUrl: session.s3Url(s3ObjectKeys.live(r.lineage).fullchain) }) })),
      ...failures.map((r) => ({ lineage: r.lineage, status: 'failed', ...('recorded' in r ? { error: r.recorded.lastError, retryNotBefore: r.recorded.retryNotBefore } : {}) })),
    ];
    return {
      status: 'SUCCEEDED',
      dryRun,
      attempted: summary.attempted,
      renewed,
      failed,
      skipped: summary.skipped,
      results: [...succeeded, ...failures],
      listCommand: `acmeflow certificates --stack ${target.stackName}`,
      execution,
      json: { ...execution, status: 'SUCCEEDED', dryRun, attempted: summary.attempted, renewed, failed, skipped: summary.skipped, results },
    };
  } finally {
    session.close();
  }
}
