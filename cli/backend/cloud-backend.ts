import { s3ObjectKeys } from '../../shared/store/s3/object-keys.js';
import type { CloudCommandContext } from '../cloud/cloud-context.js';
import { cloudDnsFromFlags } from '../cloud/cloud-dns.js';
import type { CloudTarget } from '../cloud/cloud-flags.js';
import { CloudAccessError, isAwsSdkError } from '../cloud/errors.js';
import { importInCloud } from '../cloud/cloud-import.js';
import { moveKeyInCloud } from '../cloud/cloud-move-key.js';
import { issueInCloud } from '../cloud/cloud-issue.js';
import { renewInCloud } from '../cloud/cloud-renew.js';
import { revokeInCloud } from '../cloud/cloud-revoke.js';
import { openCloudSession } from '../cloud/cloud-session.js';
import { allLineageNames } from '../cloud/lineage-names.js';
import type { DnsChoice } from '../dns-flags.js';
import type { ImportPlan } from '../import-plan.js';
import { UsageError } from '../usage-error.js';
import type {
  Backend,
  CertificateListing,
  ImportOutcome,
  IssueOutcome,
  IssueRequest,
  ListCertificatesRequest,
  MoveKeyOutcome,
  MoveKeyRequest,
  RegisterOutcome,
  RenewOutcome,
  RenewRequest,
  RevokeOutcome,
  RevokeRequest,
} from './backend.js';
import { certificateRows } from './certificate-rows.js';

/**
 * The verbs on a deployed stack (`--stack NAME [--region R] [--wait]`): lineages in its bucket, the
 * work done by its state machines. Each call resolves the stack, makes its AWS clients and destroys
 * them when it ends, so constructing this makes no AWS call: flags are refused before any.
 *
 * Loaded only with `--stack` (selectBackend imports it on demand): the AWS SDK stays out of the local
 * command's start.
 *
 * @example
 * ```ts
 * const backend = new CloudBackend(cmd, { stackName: 'Acmeflow', region: 'ap-northeast-1', wait: true });
 * const outcome = await backend.renew({ names: [], force: false, dryRun: false, json: false, hooks: {} });
 * ```
 */
export class CloudBackend implements Backend {
  readonly #cmd: CloudCommandContext;

  constructor(
    cmd: CloudCommandContext,
    readonly target: CloudTarget,
  ) {
    this.#cmd = cmd;
  }

  /** A Secrets Manager reference (`--dns-credentials-secret`); a local credentials file is refused. */
  async dnsFromFlags(values: Record<string, unknown>): Promise<DnsChoice> {
    return cloudDnsFromFlags(values);
  }

  /** The stack registers its own account (from the lineage's `ca` and its `eabRef` secret) when it first issues. */
  async register(): Promise<RegisterOutcome> {
    throw new UsageError('acmeflow register works on this machine; the stack registers its account when it first issues (see "acmeflow certonly --stack ... --agree-tos --eab-secret NAME").');
  }

  issue(request: IssueRequest): Promise<IssueOutcome> {
    return this.#aws(() => issueInCloud(this.#cmd, this.target, request));
  }

  renew(request: RenewRequest): Promise<RenewOutcome> {
    return this.#aws(() => renewInCloud(this.#cmd, this.target, request));
  }

  revoke(request: RevokeRequest): Promise<RevokeOutcome> {
    return this.#aws(() => revokeInCloud(this.#cmd, this.target, request));
  }

  importLineages(plan: ImportPlan): Promise<ImportOutcome> {
    return this.#aws(() => importInCloud(this.#cmd, this.target, plan));
  }

  moveKey(request: MoveKeyRequest): Promise<MoveKeyOutcome> {
    return this.#aws(() => moveKeyInCloud(this.#cmd, this.target, request));
  }

  /** Paths are S3 objects and Secrets Manager secrets. */
  listCertificates(request: ListCertificatesRequest): Promise<CertificateListing> {
    return this.#aws(() => this.#listCertificates(request));
  }

  /** Runs `work`; an error straight from the AWS SDK becomes {@link CloudAccessError}, which says to check credentials, region and stack name. */
  async #aws<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw isAwsSdkError(error) ? new CloudAccessError(this.target, error) : error;
    }
  }

  async #listCertificates(request: ListCertificatesRequest): Promise<CertificateListing> {
    const session = await openCloudSession(this.#cmd, this.target, []);
    try {
      const { stackName, region, bucketName } = session.stack;
      const rows = await certificateRows({
        store: session.store,
        names: request.name ? [request.name] : await allLineageNames(session.store),
        certificatePath: (name) => session.s3Url(s3ObjectKeys.live(name).fullchain),
        privateKeyPath: (name) => `secretsmanager:${session.keySecretName(name)}`,
        concurrency: 16,
      });
      return { where: { stack: stackName, region, bucket: bucketName }, place: `s3://${bucketName} (stack ${stackName}, ${region})`, rows };
    } finally {
      session.close();
    }
  }
}
