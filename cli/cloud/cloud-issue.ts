import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { presetForDirectoryUrl, type LineageSpec } from '../../shared/config/index.js';
import type { StoredLineage } from '../../shared/store/index.js';
import { s3ObjectKeys } from '../../shared/store/s3/index.js';
import type { IssuanceState } from '../../shared/workflow/index.js';
import { printFailure } from '../engine-runner.js';
import type { CloudCommandContext } from './cloud-context.js';
import type { CloudSession } from './cloud-session.js';
import { executionFailure } from './execution-failure.js';
import { executionName } from './execution-name.js';
import { startExecution, type StartedExecution } from './start-execution.js';
import { waitForExecution } from './wait-for-execution.js';

export interface CloudIssueRequest {
  /** The lineage spec from the command line, validated as on this machine. */
  readonly spec: LineageSpec;
  /** The lineage already in the bucket, if any (its state is kept; its etag guards the write). */
  readonly existing: StoredLineage | undefined;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly wait: boolean;
  readonly json: boolean;
}

/**
 * `certonly --stack`: writes the lineage to the stack's bucket (keeping its state, guarded by its
 * etag) and starts one issuance execution `{ lineage, force, dryRun }`. With `--wait` it follows the
 * execution and prints the outcome: the new version and expiry read back from the bucket, or the
 * failure with the CA's problem explained.
 *
 * As on this machine, a dry run or a failed first issuance leaves no lineage behind; that needs the
 * end of the execution, so a dry run of a new lineage always waits.
 *
 * @example
 * ```ts
 * const session = await openCloudSession(cmd, target, ['issuanceStateMachineArn']);
 * const existing = await session.store.getLineage(spec.name);
 * return issueInCloud(cmd, session, { spec, existing, force: false, dryRun: false, wait: true, json: false });
 * ```
 */
export async function issueInCloud(cmd: CloudCommandContext, session: CloudSession<'issuanceStateMachineArn'>, request: CloudIssueRequest): Promise<number> {
  const { existing, force, dryRun, json } = request;
  const spec = keepAccountReferences(request.spec, existing?.lineage.spec);
  const name = spec.name;
  const created = !existing;
  const wait = request.wait || (created && dryRun);
  warnAboutAccount(cmd, spec);

  await session.store.putLineage({ spec, state: existing?.lineage.state ?? { currentVersion: 0 } }, { expectedEtag: existing?.etag ?? null });
  const renewalUrl = session.s3Url(s3ObjectKeys.renewal(name));
  let started: StartedExecution;
  try {
    started = await startExecution(session.clients.sfn, {
      stateMachineArn: session.stack.issuanceStateMachineArn,
      name: executionName('certonly', name, (cmd.now ?? (() => new Date()))()),
      input: { lineage: name, force, dryRun },
    });
  } catch (error) {
    // Nothing was started: a new lineage would otherwise be issued by the next sweep, unasked.
    if (created) await removeUnissued(session, name).catch(() => undefined);
    throw error;
  }
  const base = { lineage: name, stack: session.stack.stackName, region: session.stack.region, lineageUrl: renewalUrl, executionArn: started.executionArn, executionName: started.name };
  if (!json) {
    cmd.out.line(`${dryRun ? 'Simulating a certificate request' : 'Requesting a certificate'} for ${spec.domains.join(', ')}`);
    cmd.out.line(`Lineage ${created ? 'written to' : 'updated in'} ${renewalUrl}`);
    cmd.out.line(`Issuance started in stack ${session.stack.stackName} (${session.stack.region}): ${started.executionArn}`);
  }
  if (!wait) {
    if (json) cmd.out.json({ ...base, status: 'RUNNING' });
    else cmd.out.line('It runs in the stack; add --wait to follow it here, or see it in the Step Functions console.');
    return 0;
  }
  if (!request.wait && !json) cmd.out.line('A dry run of a new lineage is followed to its end, so the lineage can be removed again afterwards.');

  let succeeded = false;
  try {
    const ended = await waitForExecution(session.clients.sfn, started.executionArn, cmd.poll, onceWaiting(cmd, json, dryRun ? 0 : spec.deployDelaySeconds));
    if (ended.status === 'SUCCEEDED') {
      succeeded = true;
      return await printSuccess(cmd, session, { ...base, dryRun, json, output: ended });
    }
    const failure = await executionFailure(session.clients.sfn, ended);
    if (json) cmd.out.json({ ...base, status: ended.status, error: failure });
    else {
      printFailure(cmd, { status: 'failed', lineage: name, dryRun, executionName: started.name, error: failure });
      cmd.out.error(`  Execution ${ended.status}${failure.step ? ` in ${failure.step}` : ''}: ${started.executionArn}`);
    }
    return 1;
  } finally {
    if (created && (dryRun || !succeeded)) {
      await removeUnissued(session, name).catch((error: Error) => cmd.out.error(`Warning: could not remove ${renewalUrl} again (${error.message}); remove it, or the next sweep issues it.`));
    }
  }
}

/** Flags that were not given do not drop the account references the lineage had for the same CA. */
function keepAccountReferences(spec: LineageSpec, previous: LineageSpec | undefined): LineageSpec {
  if (!previous || previous.ca.directoryUrl !== spec.ca.directoryUrl) return spec;
  return {
    ...spec,
    ca: {
      ...spec.ca,
      ...(spec.ca.eabRef === undefined && previous.ca.eabRef !== undefined ? { eabRef: previous.ca.eabRef } : {}),
      termsOfServiceAgreed: spec.ca.termsOfServiceAgreed || previous.ca.termsOfServiceAgreed,
    },
  };
}

/**
 * The account lives in the stack's Secrets Manager, which this command does not read: it cannot
 * tell whether one is registered, so what registration would lack is a warning, not a refusal.
 */
function warnAboutAccount(cmd: CloudCommandContext, spec: LineageSpec): void {
  const ca = spec.ca.directoryUrl;
  if (!spec.ca.termsOfServiceAgreed) {
    cmd.out.error(`Warning: without --agree-tos the stack can only use an account already registered with ${ca}; if it has none, the issuance fails. Add --agree-tos (and -m EMAIL) to let it register one.`);
  }
  const preset = presetForDirectoryUrl(ca);
  if (preset?.externalAccountRequired && !spec.ca.eabRef) {
    cmd.out.error(`Warning: ${preset.name} requires External Account Binding to register an account; without --eab-secret NAME the stack can only use an account already registered with it.`);
  }
}

/** On a terminal, one line saying what the wait is for; with -v, each poll. */
function onceWaiting(cmd: CloudCommandContext, json: boolean, deployDelaySeconds: number) {
  let said = false;
  return (answer: DescribeExecutionCommandOutput) => {
    if (!said && !json && cmd.out.stdout.isTTY) {
      said = true;
      const delay = deployDelaySeconds > 0 ? ` (it ends ${deployDelaySeconds} s after issuance, the lineage's deploy delay)` : '';
      cmd.out.line(`  Waiting for the execution to end${delay}; Ctrl-C stops waiting, not the execution...`);
    }
    cmd.out.debug(`${new Date().toISOString()} ${answer.status}`);
  };
}

async function printSuccess(
  cmd: CloudCommandContext,
  session: CloudSession<'issuanceStateMachineArn'>,
  outcome: { lineage: string; dryRun: boolean; json: boolean; output: DescribeExecutionCommandOutput } & Record<string, unknown>,
): Promise<number> {
  const { lineage, dryRun, json, output, ...base } = outcome;
  const state = parseOutput(output.output);
  if (state?.skipped) {
    if (json) cmd.out.json({ lineage, ...base, status: 'SKIPPED' });
    else cmd.out.line(`${lineage}: another run renewed it meanwhile; nothing to do.`);
    return 0;
  }
  if (dryRun) {
    if (json) cmd.out.json({ lineage, ...base, status: 'SUCCEEDED', dryRun: true });
    else cmd.out.line('The dry run was successful.');
    return 0;
  }
  // The bucket is the record: what the execution stored, as deployments will read it.
  const stored = await session.store.getLineage(lineage);
  const version = stored?.lineage.state.currentVersion ?? state?.result?.version;
  const current = stored?.lineage.state.current;
  const notAfter = current?.notAfter ?? state?.result?.notAfter;
  const certificateUrl = session.s3Url(s3ObjectKeys.live(lineage).fullchain);
  const keySecret = session.keySecretName(lineage);
  if (json) {
    cmd.out.json({ lineage, ...base, status: 'SUCCEEDED', version, serialHex: current?.serialHex ?? state?.result?.serialHex, notAfter, certificateUrl, keySecret });
    return 0;
  }
  cmd.out.line('Successfully received certificate.');
  cmd.out.line(`Certificate is saved at: ${certificateUrl}${version ? ` (version ${version})` : ''}`);
  cmd.out.line(`Key is saved at:         Secrets Manager secret ${keySecret} (${session.stack.region})`);
  if (notAfter) cmd.out.line(`This certificate expires on ${notAfter.slice(0, 10)}.`);
  return 0;
}

function parseOutput(text: string | undefined): Partial<IssuanceState> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Partial<IssuanceState>;
  } catch {
    return undefined;
  }
}

/** Removes a lineage this command created, unless an issuance has stored a version meanwhile. */
async function removeUnissued(session: CloudSession<'issuanceStateMachineArn'>, name: string): Promise<void> {
  const now = await session.store.getLineage(name).catch(() => undefined);
  if (now && now.lineage.state.currentVersion === 0) await session.store.deleteLineage(name);
}

