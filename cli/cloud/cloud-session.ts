import { S3CertificateStore } from '../../shared/store/s3/index.js';
import { awsCloudClients, type CloudClients } from './cloud-clients.js';
import type { CloudCommandContext } from './cloud-context.js';
import type { CloudTarget } from './cloud-flags.js';
import { resolveStack, type DeployedStack } from './resolve-stack.js';
import type { RequiredStackOutput } from './stack-outputs.js';

/** One command's connection to the stack: its outputs, the clients, and the bucket as a certificate store. */
export interface CloudSession<K extends RequiredStackOutput> {
  readonly stack: DeployedStack<K> & { readonly bucketName: string };
  readonly clients: CloudClients;
  /** The lineages in the stack's bucket, written with the stack's KMS key when it exports one. */
  readonly store: S3CertificateStore;
  /** `s3://<bucket>/<key>`, for messages. */
  s3Url(key: string): string;
  /** Where a lineage's certificate key is kept (a Secrets Manager secret name). */
  keySecretName(lineage: string): string;
  /** Destroys the clients (their sockets would keep the process alive). */
  close(): void;
}

/**
 * Resolves the stack and opens its bucket. Every verb needs the bucket; `required` adds the state
 * machine the verb starts. Close the session when the command ends.
 *
 * @example
 * ```ts
 * const session = await openCloudSession(cmd, target, ['issuanceStateMachineArn']);
 * try { await session.store.getLineage('example.com'); } finally { session.close(); }
 * ```
 */
export async function openCloudSession<K extends RequiredStackOutput>(
  cmd: CloudCommandContext,
  target: CloudTarget,
  required: readonly K[],
): Promise<CloudSession<K | 'bucketName'>> {
  const clients = (cmd.cloudClients ?? awsCloudClients)(target.region === undefined ? {} : { region: target.region });
  const close = () => {
    clients.cloudFormation.destroy();
    clients.s3.destroy();
    clients.sfn.destroy();
    clients.secretsManager?.destroy();
  };
  try {
    const stack = await resolveStack(clients.cloudFormation, target, ['bucketName', ...required]);
    cmd.out.debug(`Stack ${stack.stackName} (${stack.region}): bucket ${stack.bucketName}${stack.kmsKeyArn ? `, KMS key ${stack.kmsKeyArn}` : ''}`);
    const store = new S3CertificateStore({ bucket: stack.bucketName, client: clients.s3, ...(stack.kmsKeyArn ? { kmsKeyId: stack.kmsKeyArn } : {}) });
    return {
      stack,
      clients,
      store,
      s3Url: (key) => `s3://${stack.bucketName}/${key}`,
      keySecretName: (lineage) => `${stack.secretPrefix}cert/${lineage}`,
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}
