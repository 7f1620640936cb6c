import { DEFAULT_KEY_STORE } from '../../shared/config/key-stores.js';
import { LineageNotFoundForMoveError, moveLineageKeyStore } from '../../shared/store/index.js';
import { S3KeyStore } from '../../shared/store/s3/index.js';
import { SecretsManagerKeyStore } from '../../shared/store/secrets-manager/index.js';
import type { MoveKeyOutcome, MoveKeyRequest } from '../backend/backend.js';
import { UsageError } from '../usage-error.js';
import type { CloudCommandContext } from './cloud-context.js';
import type { CloudTarget } from './cloud-flags.js';
import { openCloudSession } from './cloud-session.js';

/**
 * `move-key --stack`: the lineage's certificate keys copied into the other key store of the stack and
 * the lineage switched to it (`moveLineageKeyStore`), with this command's credentials, nothing issued.
 * The old copy stays until a later version was delivered; the issuance that follows it removes it.
 *
 * @example
 * ```ts
 * await moveKeyInCloud(cmd, { stackName: 'Acmeflow', wait: false }, { name: 'example.com', to: 'secretsManager' });
 * ```
 */
export async function moveKeyInCloud(cmd: CloudCommandContext, target: CloudTarget, request: MoveKeyRequest): Promise<MoveKeyOutcome> {
  const session = await openCloudSession(cmd, target, []);
  try {
    const kms = session.stack.kmsKeyArn ? { kmsKeyId: session.stack.kmsKeyArn } : {};
    const { secretPrefix, bucketName } = session.stack;
    const stores = {
      s3: new S3KeyStore({ bucket: bucketName, client: session.clients.s3, ...kms }),
      secretsManager: new SecretsManagerKeyStore({
        ...(session.clients.secretsManager ? { client: session.clients.secretsManager } : {}),
        certificateSecretPrefix: `${secretPrefix}cert/`,
        accountSecretPrefix: `${secretPrefix}account/`,
        ...kms,
      }),
    };
    // Specs written by the construct and by `certonly --stack` name their store; older ones are in the default.
    return await moveLineageKeyStore({ store: session.store, stores, defaultKeyStore: DEFAULT_KEY_STORE, now: () => new Date() }, request.name, request.to);
  } catch (error) {
    if (error instanceof LineageNotFoundForMoveError) throw new UsageError(`The stack has no certificate named ${request.name} (see "acmeflow certificates --stack ...").`);
    throw error;
  } finally {
    session.close();
  }
}
