import { CreateSecretCommand, PutSecretValueCommand, ResourceExistsException } from '@aws-sdk/client-secrets-manager';
import type { ImportOutcome } from '../backend/backend.js';
import type { ImportItem, ImportPlan } from '../import-plan.js';
import { S3KeyStore } from '../../shared/store/s3/index.js';
import { SecretsManagerKeyStore } from '../../shared/store/secrets-manager/index.js';
import { accountIdFor } from '../../shared/workflow/index.js';
import type { CloudCommandContext } from './cloud-context.js';
import type { CloudTarget } from './cloud-flags.js';
import { openCloudSession, type CloudSession } from './cloud-session.js';
import { UsageError } from '../usage-error.js';

/**
 * Moves the planned lineages into the stack: every version into the bucket (`archive/`, then
 * `live/` on the current one), each version's key into the key store (`keys/`, SSE-KMS), the DNS
 * credentials into a secret the lineage names, the account into Secrets Manager (the same account
 * at the same CA: no registration, no EAB), and the lineage last, so the stack sees it only whole.
 * A lineage already in the stack is left as it is.
 */
export async function importInCloud(cmd: CloudCommandContext, target: CloudTarget, plan: ImportPlan): Promise<ImportOutcome> {
  const session = await openCloudSession(cmd, target, []);
  try {
    const secrets = session.clients.secretsManager;
    if (!secrets) throw new UsageError('import needs Secrets Manager for the account and DNS credentials; the AWS clients given have none.');
    const kms = session.stack.kmsKeyArn;
    const keys = new S3KeyStore({ bucket: session.stack.bucketName, client: session.clients.s3, ...(kms ? { kmsKeyId: kms } : {}) });
    const accounts = new SecretsManagerKeyStore({ client: secrets, accountSecretPrefix: `${session.stack.secretPrefix}account/`, certificateSecretPrefix: `${session.stack.secretPrefix}cert/`, ...(kms ? { kmsKeyId: kms } : {}) });
    const imported: string[] = [];
    const skipped: string[] = [];
    for (const item of plan.items) {
      if (await session.store.getLineage(item.name)) {
        skipped.push(item.name);
        continue;
      }
      await importOne(session, keys, accounts, item, kms);
      imported.push(item.name);
      cmd.out.line(`Imported ${item.name}: ${item.versions.length} version(s), current ${item.state.currentVersion}.`);
    }
    return { imported, skipped, refused: plan.refused };
  } finally {
    session.close();
  }
}

async function importOne(session: CloudSession<'bucketName'>, keys: S3KeyStore, accounts: SecretsManagerKeyStore, item: ImportItem, kms: string | undefined): Promise<void> {
  const { name } = item;
  for (const { version, keyPem } of item.versions) {
    await session.store.putVersion(version);
    const token = `import-${version.version}`;
    await keys.putPendingCertificateKey(name, token, keyPem);
    await keys.promoteCertificateKey(name, token, version.version, version.fullchainPem);
  }
  await session.store.promoteVersion(name, item.state.currentVersion);
  let credentialsRef: string | undefined;
  if (item.dnsSecret) {
    credentialsRef = `${session.stack.secretPrefix}dns/${name}`;
    await putSecret(session, credentialsRef, JSON.stringify(item.dnsSecret), kms);
  }
  // Under the id the lineage's runs ask for (certbot's own account for it when its conf names one), and
  // as the CA's account when the stack has none yet, so its other lineages order with it too.
  const ids = new Set([accountIdFor(item.spec.ca.directoryUrl, item.spec.ca.certbotAccount), accountIdFor(item.spec.ca.directoryUrl)]);
  for (const accountId of ids) if (item.account && !(await accounts.getAccountKey(accountId))) await accounts.putAccountKey(accountId, item.account);
  const { hooks: _hooks, ...rest } = item.spec;
  const { credentialsRef: _local, ...dns } = item.spec.dns;
  const spec = { ...rest, dns: { ...dns, ...(credentialsRef ? { credentialsRef } : {}) } };
  await session.store.putLineage({ spec, state: { currentVersion: item.state.currentVersion, ...(item.state.current ? { current: item.state.current } : {}) } }, { expectedEtag: null });
}

async function putSecret(session: CloudSession<'bucketName'>, name: string, value: string, kms: string | undefined): Promise<void> {
  const client = session.clients.secretsManager;
  if (!client) return;
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value, ...(kms ? { KmsKeyId: kms } : {}) }));
  } catch (error) {
    if (!(error instanceof ResourceExistsException) && (error as Error).name !== 'ResourceExistsException') throw error;
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  }
}
