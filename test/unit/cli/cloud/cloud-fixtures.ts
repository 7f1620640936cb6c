/**
 * Answers of the AWS APIs cloud mode calls, in the shapes the services send, for
 * aws-sdk-client-mock (unit tests) and next to s3rver (the e2e test).
 */
import { CloudFormationServiceException, type DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import { NoSuchKey, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { STACK_OUTPUTS } from '../../../../cli/cloud/index.js';
import type { CliIo } from '../../../../cli/main.js';

export const STACK = 'Acmeflow';
export const REGION = 'ap-northeast-1';
export const ACCOUNT = '111122223333';
export const BUCKET = 'acmeflow-certificates-111122223333';
export const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f0e0d0c-0b0a-0908-0706-050403020100`;
export const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
export const ISSUANCE_ARN = machineArn('AcmeflowIssuance');
export const SWEEP_ARN = machineArn('AcmeflowSweep');
export const REVOCATION_ARN = machineArn('AcmeflowRevocation');
export const executionArn = (machine: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${name}`;

/** Every output the stack exports, by key; `omit` leaves some out (an older or unfinished stack). */
export function stackOutputs(options: { bucket?: string; omit?: readonly string[]; kms?: boolean } = {}): Record<string, string> {
  const all: Record<string, string> = {
    [STACK_OUTPUTS.bucketName]: options.bucket ?? BUCKET,
    [STACK_OUTPUTS.issuanceStateMachineArn]: ISSUANCE_ARN,
    [STACK_OUTPUTS.sweepStateMachineArn]: SWEEP_ARN,
    [STACK_OUTPUTS.revocationStateMachineArn]: REVOCATION_ARN,
    ...(options.kms === false ? {} : { [STACK_OUTPUTS.kmsKeyArn]: KMS_KEY }),
  };
  for (const key of options.omit ?? []) delete all[key];
  return all;
}

export function describeStacksAnswer(outputs: Record<string, string>, status = 'UPDATE_COMPLETE'): DescribeStacksCommandOutput {
  return {
    $metadata: {},
    Stacks: [
      {
        StackName: STACK,
        StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/5e0a8f70-0000-11ef-0000-0a1b2c3d4e5f`,
        CreationTime: new Date('2026-01-01T00:00:00Z'),
        StackStatus: status,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  } as DescribeStacksCommandOutput;
}

/** CloudFormation's answer for a stack that does not exist (HTTP 400 ValidationError). */
export function stackDoesNotExist(name = STACK): CloudFormationServiceException {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${name} does not exist`,
  });
}

export const noSuchKey = () => new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' });
export const s3Object = (text: string, etag = '"e1"') => ({ Body: { transformToString: async () => text }, ETag: etag, $metadata: {} }) as unknown as GetObjectCommandOutput;

export function described(status: string, fields: Partial<DescribeExecutionCommandOutput> = {}): DescribeExecutionCommandOutput {
  return { $metadata: {}, status, startDate: new Date('2026-01-01T00:00:00Z'), ...fields } as DescribeExecutionCommandOutput;
}

export const REJECTED = {
  type: 'urn:ietf:params:acme:error:rejectedIdentifier',
  detail: 'Error creating new order :: Cannot issue for "blocked.test": The ACME server refuses to issue a certificate for this domain name',
  status: 400,
};

/** A step error as Lambda's Node.js runtime reports it: `{ errorType, errorMessage, trace }`, the message the step-error JSON. */
export function lambdaCause(name: string, message: string, problem?: object): string {
  return JSON.stringify({ errorType: name, errorMessage: JSON.stringify({ message, ...(problem ? { problem } : {}) }), trace: [`${name}: ...`, '    at prepareOrder (/var/task/index.mjs:1:1)'] });
}

let eventId = 0;
export function historyEvent(type: string, fields: Partial<HistoryEvent> = {}): HistoryEvent {
  eventId += 1;
  return { id: eventId, timestamp: new Date('2026-01-01T00:00:00Z'), type, ...fields } as HistoryEvent;
}

/** A CliIo that keeps what was written. */
export function captureIo(env: Record<string, string> = {}): CliIo & { out: string; err: string } {
  const state = { out: '', err: '' };
  return Object.assign(state, {
    env: { LANG: 'C', ...env },
    stdout: { write: (s: string) => (state.out += s) },
    stderr: { write: (s: string) => (state.err += s) },
  });
}
