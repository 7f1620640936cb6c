import { explainProblem, shortProblemType } from '../../shared/acme/index.js';
import type { FailureState } from '../../shared/store/index.js';
import { s3ObjectKeys } from '../../shared/store/s3/index.js';
import { printFailure } from '../engine-runner.js';
import { UsageError } from '../usage-error.js';
import type { CloudCommandContext } from './cloud-context.js';
import type { CloudTarget } from './cloud-flags.js';
import { openCloudSession, type CloudSession } from './cloud-session.js';
import { executionFailure } from './execution-failure.js';
import { executionName } from './execution-name.js';
import { mapLimit } from './map-limit.js';
import { startExecution } from './start-execution.js';
import { waitForExecution } from './wait-for-execution.js';

export interface CloudRenewRequest {
  /** `--cert-name`s: only these lineages; none: every lineage in the bucket. */
  readonly names: readonly string[];
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
}

/** The sweep's result (CompleteSweep's output). */
/** Clocks of this machine and of the stack may differ a little. */
const CLOCK_SKEW_MS = 60_000;

interface SweepSummary {
  readonly attempted: number;
  readonly renewed: string[];
  readonly failed: string[];
  readonly skipped: number;
}

/**
 * `renew --stack`: starts the stack's renewal sweep `{ lineages?, force, dryRun }`; each due lineage
 * gets its own issuance execution there. With `--wait` it follows the sweep and reports as
 * `acmeflow renew` does: each renewed lineage with its new version and expiry (read back from the
 * bucket), each failed one with the error its lineage recorded, and exit 1 if any failed.
 *
 * @example
 * ```ts
 * await renewInCloud(cmd, { stackName: 'Acmeflow', wait: true }, { names: [], force: false, dryRun: false, json: false });
 * ```
 */
export async function renewInCloud(cmd: CloudCommandContext, target: CloudTarget, request: CloudRenewRequest): Promise<number> {
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
    const base = { stack: session.stack.stackName, region: session.stack.region, executionArn: started.executionArn, executionName: started.name };
    if (!target.wait) {
      if (json) cmd.out.json({ ...base, status: 'RUNNING' });
      else {
        cmd.out.line(`Renewal sweep started in stack ${session.stack.stackName} (${session.stack.region}): ${started.executionArn}`);
        cmd.out.line('It renews what is due there; add --wait to follow it here.');
      }
      return 0;
    }
    if (!json) cmd.out.line(`Renewal sweep started in stack ${session.stack.stackName} (${session.stack.region}): ${started.executionArn}`);
    const ended = await waitForExecution(session.clients.sfn, started.executionArn, cmd.poll, (answer) => cmd.out.debug(`${new Date().toISOString()} ${answer.status}`));
    if (ended.status !== 'SUCCEEDED') {
      const failure = await executionFailure(session.clients.sfn, ended);
      if (json) cmd.out.json({ ...base, status: ended.status, error: failure });
      else {
        cmd.out.error(`The renewal sweep ${started.name} ${ended.status === 'FAILED' ? 'failed' : `ended ${ended.status}`}: ${failure.name}${failure.step ? ` in ${failure.step}` : ''}.`);
        if (failure.problem) cmd.out.problem(failure.problem);
        else cmd.out.error(`  ${failure.message}`);
      }
      return 1;
    }
    const summary = JSON.parse(ended.output ?? '{}') as SweepSummary;
    const renewed = summary.renewed ?? [];
    const failed = summary.failed ?? [];
    const stored = await mapLimit([...renewed, ...failed], 8, async (name) => (await session.store.getLineage(name).catch(() => undefined))?.lineage.state);
    const succeeded = renewed.map((lineage, i) => {
      const state = stored[i];
      return { lineage, version: state?.currentVersion, notAfter: state?.current?.notAfter };
    });
    const failures = failed.map((lineage, i) => {
      const recorded = stored[renewed.length + i]?.failures;
      // A dry run records no failure on the lineage, and an older record is not this sweep's.
      const fresh = !dryRun && recorded && Date.parse(recorded.lastFailureAt) >= startedAt.getTime() - CLOCK_SKEW_MS ? recorded : undefined;
      return { lineage, ...(fresh ? { failures: fresh } : {}) };
    });
    if (json) {
      const results = [
        ...succeeded.map((r) => ({ ...r, status: 'succeeded', ...(dryRun ? {} : { certificateUrl: session.s3Url(s3ObjectKeys.live(r.lineage).fullchain) }) })),
        ...failures.map((r) => ({ lineage: r.lineage, status: 'failed', ...(r.failures ? { error: r.failures.lastError, retryNotBefore: r.failures.retryNotBefore } : {}) })),
      ];
      cmd.out.json({ ...base, status: 'SUCCEEDED', dryRun, attempted: summary.attempted, renewed, failed, skipped: summary.skipped, results });
      return failed.length > 0 ? 1 : 0;
    }
    for (const r of succeeded) {
      cmd.out.line(`Renewed ${r.lineage}: ${dryRun ? 'the dry run was successful' : `version ${r.version}, expires ${r.notAfter?.slice(0, 10)}`}.`);
    }
    for (const r of failures) printLineageFailure(cmd, session, r.lineage, r.failures);
    if (summary.skipped > 0) cmd.out.line(`${summary.skipped} certificate(s) not due for renewal yet (skipped); see "acmeflow certificates --stack ${target.stackName}".`);
    if (summary.attempted === 0) cmd.out.line('No renewals were attempted.');
    else if (failed.length === 0) cmd.out.line(`Congratulations, all ${dryRun ? 'simulated renewals' : 'renewals'} succeeded: ${renewed.join(', ')}`);
    else cmd.out.error(`${failed.length} renewal(s) failed: ${failed.join(', ')}`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    session.close();
  }
}

/**
 * A lineage the sweep could not renew, from the failure its issuance recorded on the lineage (the
 * sweep's child executions are the place for the full problem document; the event carries it too).
 */
function printLineageFailure(cmd: CloudCommandContext, session: CloudSession<'sweepStateMachineArn'>, lineage: string, failures: FailureState | undefined): void {
  if (!failures) {
    printFailure(cmd, { status: 'failed', lineage, dryRun: false, executionName: '', error: { name: 'IssuanceFailed', message: 'See the "Certificate Issuance Failed" event, or the issuance execution in the Step Functions console.' } });
    return;
  }
  const { name, message, problemType } = failures.lastError;
  cmd.out.error(`Certificate for ${lineage} failed: ${name}.`);
  cmd.out.error(`  ${message}`);
  if (problemType) {
    const explanation = explainProblem(problemType);
    cmd.out.error(`  ${cmd.out.lang === 'ja' ? explanation.ja : explanation.en}`);
    cmd.out.error(`  More: acmeflow explain ${shortProblemType(problemType)}`);
  }
  cmd.out.error(`  Next try after ${failures.retryNotBefore} (failure ${failures.count}); lineage ${session.s3Url(s3ObjectKeys.renewal(lineage))}`);
}
