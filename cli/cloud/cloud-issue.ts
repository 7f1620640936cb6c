import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { presetForDirectoryUrl, type LineageSpec } from '../../shared/config/index.js';
import type { StoredLineage } from '../../shared/store/index.js';
import { s3ObjectKeys } from '../../shared/store/s3/index.js';
import type { IssuanceState } from '../../shared/workflow/index.js';
import type { IssueOutcome, IssueRequest, StackExecution } from '../backend/backend.js';
import { notYetDue } from '../backend/not-yet-due.js';
import type { CloudCommandContext } from './cloud-context.js';
import type { CloudTarget } from './cloud-flags.js';
import { openCloudSession, type CloudSession } from './cloud-session.js';
import { executionFailure } from './execution-failure.js';
import { executionName } from './execution-name.js';
import { startExecution, type StartedExecution } from './start-execution.js';
import { waitForExecution } from './wait-for-execution.js';

/**
 * `certonly --stack`: writes the lineage to the stack's bucket (keeping its state, guarded by its
 * etag) and starts one issuance execution `{ lineage, force, dryRun }`. With `--wait` it follows the
 * execution and returns the outcome: the new version and expiry read back from the bucket, or the
 * failure with the CA's problem.
 *
 * As on this machine, a dry run or a failed first issuance leaves no lineage behind; that needs the
 * end of the execution, so a dry run of a new lineage always waits. The account is the stack's
 * (Secrets Manager): what registering one would lack is a warning here, not a refusal.
 *
 * @example
 * ```ts
 * const outcome = await issueInCloud(cmd, { stackName: 'Acmeflow', wait: true }, { spec, force: false, dryRun: false, json: false, keyTypeDefaulted: false, account: { agreeTos: true } });
 * ```
 */
export async function issueInCloud(cmd: CloudCommandContext, target: CloudTarget, request: IssueRequest): Promise<IssueOutcome> {
  // The session opens only now: everything the flags could get wrong was refused before any AWS call.
  const session = await openCloudSession(cmd, target, ['issuanceStateMachineArn']);
  try {
    const existing = await session.store.getLineage(request.spec.name);
    const notAfter = notYetDue(existing, request.spec, request);
    if (notAfter) return { status: 'NOT_DUE', lineage: request.spec.name, notAfter };
    if (request.keyTypeDefaulted && !request.json) cmd.out.line(`Key type: ${request.spec.keyType} (choose with --key-type rsa|ecdsa).`);
    return await writeAndStart(cmd, session, { ...request, existing, wait: target.wait });
  } finally {
    session.close();
  }
}

async function writeAndStart(
  cmd: CloudCommandContext,
  session: CloudSession<'issuanceStateMachineArn'>,
  request: IssueRequest & { readonly existing: StoredLineage | undefined; readonly wait: boolean },
): Promise<IssueOutcome> {
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
  const execution = { stack: session.stack.stackName, region: session.stack.region, lineageUrl: renewalUrl, executionArn: started.executionArn, executionName: started.name };
  if (!json) {
    cmd.out.line(`${dryRun ? 'Simulating a certificate request' : 'Requesting a certificate'} for ${spec.domains.join(', ')}`);
    cmd.out.line(`Lineage ${created ? 'written to' : 'updated in'} ${renewalUrl}`);
    cmd.out.line(`Issuance started in stack ${session.stack.stackName} (${session.stack.region}): ${started.executionArn}`);
  }
  if (!wait) return { status: 'RUNNING', lineage: name, execution };
  if (!request.wait && !json) cmd.out.line('A dry run of a new lineage is followed to its end, so the lineage can be removed again afterwards.');

  const cannotRemove = (error: Error) => `Warning: could not remove ${renewalUrl} again (${error.message}); remove it, or the next sweep issues it.`;
  let ended: DescribeExecutionCommandOutput;
  try {
    ended = await waitForExecution(session.clients.sfn, started.executionArn, cmd.poll, onceWaiting(cmd, json));
  } catch (error) {
    if (created) await removeUnissued(session, name).catch((e: Error) => cmd.out.error(cannotRemove(e)));
    throw error;
  }
  const notes: string[] = [];
  if (created && (dryRun || ended.status !== 'SUCCEEDED')) await removeUnissued(session, name).catch((e: Error) => notes.push(cannotRemove(e)));
  if (ended.status === 'SUCCEEDED') {
    // Said now: only a failure's outcome carries notes, to say them after the failure.
    for (const note of notes) cmd.out.error(note);
    return succeededOutcome(session, { lineage: name, dryRun, execution, output: ended });
  }
  const failure = await executionFailure(session.clients.sfn, ended);
  return { status: 'FAILED', lineage: name, dryRun, error: failure, execution: { ...execution, status: ended.status ?? 'FAILED' }, ...(notes.length > 0 ? { notes } : {}) };
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

/**
 * On a terminal, one line saying what the wait is for; with -v, each poll. The execution ends once the
 * certificate is stored: the deploy delay is waited by its follow-up execution, which this does not follow.
 */
function onceWaiting(cmd: CloudCommandContext, json: boolean) {
  let said = false;
  return (answer: DescribeExecutionCommandOutput) => {
    if (!said && !json && cmd.out.stdout.isTTY) {
      said = true;
      cmd.out.line('  Waiting for the execution to end; Ctrl-C stops waiting, not the execution...');
    }
    cmd.out.debug(`${new Date().toISOString()} ${answer.status}`);
  };
}

async function succeededOutcome(
  session: CloudSession<'issuanceStateMachineArn'>,
  ended: { lineage: string; dryRun: boolean; execution: StackExecution & { lineageUrl: string }; output: DescribeExecutionCommandOutput },
): Promise<IssueOutcome> {
  const { lineage, dryRun, execution } = ended;
  const state = parseOutput(ended.output.output);
  if (state?.skipped) return { status: 'SKIPPED', lineage, execution };
  if (dryRun) return { status: 'SUCCEEDED', lineage, dryRun, execution };
  // The bucket is the record: what the execution stored, as deployments will read it.
  const stored = await session.store.getLineage(lineage);
  const version = stored?.lineage.state.currentVersion ?? state?.result?.version;
  const current = stored?.lineage.state.current;
  const notAfter = current?.notAfter ?? state?.result?.notAfter;
  const serialHex = current?.serialHex ?? state?.result?.serialHex;
  const certificateUrl = session.s3Url(s3ObjectKeys.live(lineage).fullchain);
  const keySecret = session.keySecretName(lineage);
  return {
    status: 'SUCCEEDED',
    lineage,
    dryRun,
    execution,
    ...(version === undefined ? {} : { version }),
    ...(serialHex ? { serialHex } : {}),
    ...(notAfter ? { notAfter } : {}),
    saved: {
      certificate: `${certificateUrl}${version ? ` (version ${version})` : ''}`,
      key: `Secrets Manager secret ${keySecret} (${session.stack.region})`,
      json: { certificateUrl, keySecret },
    },
  };
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

