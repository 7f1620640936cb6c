import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** A started execution, as the CLI prints it. */
export interface StartedExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly startDate?: Date;
}

/**
 * Starts one execution with a JSON input (public data only: lineage names, flags, a certificate).
 *
 * @example
 * ```ts
 * await startExecution(sfn, { stateMachineArn, name: 'renew-20260304T050607Z', input: { force: true } });
 * ```
 */
export async function startExecution(
  sfn: SFNClient,
  request: { readonly stateMachineArn: string; readonly name: string; readonly input: Record<string, unknown> },
): Promise<StartedExecution> {
  const answer = await sfn.send(new StartExecutionCommand({ stateMachineArn: request.stateMachineArn, name: request.name, input: JSON.stringify(request.input) }));
  if (!answer.executionArn) throw new Error(`StartExecution of ${request.name} returned no execution ARN.`);
  return { executionArn: answer.executionArn, name: request.name, ...(answer.startDate ? { startDate: answer.startDate } : {}) };
}
