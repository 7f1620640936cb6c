/**
 * A security review of a synthesized CloudFormation template (the AcmeIssuer construct's), as rules
 * a reviewer would apply by hand, each finding naming the resource and the rule:
 *
 * - IAM (identity policies): no `Action: "*"` and no whole-service `service:*` action; `Resource: "*"`
 *   only for actions whose API accepts no narrower resource (the allow-list below, as grant-access.ts and
 *   the providers' manifests name them); Secrets Manager actions only on the issuer's prefix
 *   (`acmeflow/...`) or the secrets the configuration names; KMS actions only on keys of the stack.
 * - Storage: every bucket encrypted, all four public access blocks on, a policy denying non-TLS
 *   requests; the certificate store SSE-KMS with versioning (a bucket that only receives S3 server
 *   access logs may use SSE-S3 — S3 cannot deliver access logs into SSE-KMS buckets — and needs no
 *   versioning); SNS topics, SQS queues and Secrets Manager secrets encrypted.
 * - No resource policy that allows everyone (`Principal: "*"` without a condition).
 * - No resource policy (topic, key, bucket, queue) that allows an AWS service principal without an
 *   `aws:SourceAccount` or `aws:SourceArn` condition: without one, the service acting for any other
 *   account could use the grant (the confused deputy problem).
 * - Lambda environments: no variable whose name or value looks like a secret.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { iamStatements, renderIntrinsic } from '../../infra/support/synth.js';

export interface ReviewFinding {
  readonly rule: 'wildcard-action' | 'wildcard-resource' | 'secret-scope' | 'kms-scope' | 'unencrypted' | 'public' | 'versioning' | 'tls' | 'lambda-env' | 'confused-deputy';
  readonly resource: string;
  readonly detail: string;
}

export interface ReviewOptions {
  /** Secret names the configuration names (EAB, DNS credentials): allowed besides the prefix. */
  readonly namedSecrets: readonly string[];
  /** The issuer's own secret prefix. @default 'acmeflow/' */
  readonly secretPrefix?: string;
}

/**
 * Actions that need `Resource: "*"` because their API takes no resource ARN (or, for the Step
 * Functions log delivery, because CloudWatch Logs demands it).
 */
export const STAR_RESOURCE_ACTIONS: readonly RegExp[] = [
  /^route53:ListHostedZonesByName$/,
  /^xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)$/,
  /^logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/,
];

const SECRET_NAME = /(PASSWORD|PASSWD|TOKEN|API_?KEY|HMAC|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|(^|_)SECRET$|_SECRET_KEY)/i;

/** A value that looks like key material or a credential rather than a name, ARN or setting. */
export function looksSecret(value: string): boolean {
  if (/PRIVATE KEY|BEGIN [A-Z ]+KEY/.test(value)) return true;
  if (/\bAKIA[0-9A-Z]{16}\b/.test(value)) return true;
  // Long unbroken base64/base64url/hex without separators names and ARNs have ('.', ':', '/').
  return /^[A-Za-z0-9+_=-]{32,}$/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value);
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

export function reviewTemplate(json: Record<string, any>, options: ReviewOptions): ReviewFinding[] {
  const findings: ReviewFinding[] = [];
  const resources = json.Resources as Resources;
  const prefix = options.secretPrefix ?? 'acmeflow/';
  const kmsKeys = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::KMS::Key')
    .map(([id]) => id);

  // --- IAM identity policies -----------------------------------------------------------------------
  for (const st of iamStatements(Template.fromJSON(json))) {
    if (st.Effect !== 'Allow') continue;
    for (const action of st.Action) {
      if (action === '*' || /^[a-z0-9-]+:\*$/i.test(action)) findings.push({ rule: 'wildcard-action', resource: st.holder, detail: `Action ${action}` });
    }
    if (st.Resource.includes('*')) {
      const broad = st.Action.filter((a) => !STAR_RESOURCE_ACTIONS.some((re) => re.test(a)));
      if (broad.length > 0) findings.push({ rule: 'wildcard-resource', resource: st.holder, detail: `Resource "*" for ${broad.join(', ')}` });
    }
    if (st.Action.some((a) => a.startsWith('secretsmanager:'))) {
      for (const resource of st.Resource) {
        const m = /:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(resource);
        const name = m?.[1];
        const ok = name !== undefined && (name.startsWith(prefix) || options.namedSecrets.some((n) => name === `${n}-??????` || name === n));
        if (!ok) findings.push({ rule: 'secret-scope', resource: st.holder, detail: `${st.Action.filter((a) => a.startsWith('secretsmanager:')).join(', ')} on ${resource}` });
      }
    }
    if (st.Action.some((a) => a.startsWith('kms:'))) {
      for (const resource of st.Resource) {
        if (!kmsKeys.some((id) => resource === `\${${id}.Arn}`)) findings.push({ rule: 'kms-scope', resource: st.holder, detail: `kms on ${resource}` });
      }
    }
  }

  // --- storage ---------------------------------------------------------------------------------------
  const logTargets = new Set(
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::S3::Bucket')
      .map((r) => renderIntrinsic(r.Properties?.LoggingConfiguration?.DestinationBucketName ?? ''))
      .filter(Boolean),
  );
  const bucketPolicies = Object.values(resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::S3::Bucket') {
      const logBucket = logTargets.has(`\${${id}}`);
      const sse = p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm as string | undefined;
      if (!sse) findings.push({ rule: 'unencrypted', resource: id, detail: 'bucket without default encryption' });
      else if (!logBucket && sse !== 'aws:kms' && sse !== 'aws:kms:dsse') findings.push({ rule: 'unencrypted', resource: id, detail: `bucket encrypted with ${sse}, not SSE-KMS` });
      if (!logBucket && p.VersioningConfiguration?.Status !== 'Enabled') findings.push({ rule: 'versioning', resource: id, detail: 'bucket without versioning' });
      const pab = p.PublicAccessBlockConfiguration ?? {};
      for (const flag of ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets']) {
        if (pab[flag] !== true) findings.push({ rule: 'public', resource: id, detail: `public access block ${flag} is not on` });
      }
      if (p.AccessControl && p.AccessControl !== 'Private' && p.AccessControl !== 'LogDeliveryWrite') findings.push({ rule: 'public', resource: id, detail: `ACL ${p.AccessControl}` });
      const policy = bucketPolicies.find((bp) => renderIntrinsic(bp.Properties?.Bucket) === `\${${id}}`);
      const tlsOnly = (policy?.Properties?.PolicyDocument?.Statement ?? []).some(
        (s: any) => s.Effect === 'Deny' && JSON.stringify(s.Condition ?? {}).includes('"aws:SecureTransport":"false"'),
      );
      if (!tlsOnly) findings.push({ rule: 'tls', resource: id, detail: 'no bucket policy denying requests without TLS' });
    }
    if (r.Type === 'AWS::SNS::Topic' && !p.KmsMasterKeyId) findings.push({ rule: 'unencrypted', resource: id, detail: 'SNS topic without KMS' });
    if (r.Type === 'AWS::SQS::Queue' && !p.KmsMasterKeyId && p.SqsManagedSseEnabled !== true) findings.push({ rule: 'unencrypted', resource: id, detail: 'SQS queue without encryption' });
    if (r.Type === 'AWS::SecretsManager::Secret' && !p.KmsKeyId) findings.push({ rule: 'unencrypted', resource: id, detail: 'secret without a customer KMS key' });
    if (r.Type === 'AWS::DynamoDB::Table' && p.SSESpecification?.SSEEnabled !== true) findings.push({ rule: 'unencrypted', resource: id, detail: 'table without SSE' });
  }

  // --- resource policies open to everyone ------------------------------------------------------------
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    const statements: any[] = p.PolicyDocument?.Statement ?? p.KeyPolicy?.Statement ?? [];
    for (const s of statements) {
      const everyone = s.Principal === '*' || s.Principal?.AWS === '*' || (Array.isArray(s.Principal?.AWS) && s.Principal.AWS.includes('*'));
      if (s.Effect === 'Allow' && everyone && !s.Condition) findings.push({ rule: 'public', resource: id, detail: `${r.Type} allows everyone ${JSON.stringify(s.Action)}` });
    }
    for (const s of statements) {
      const service = s.Principal?.Service;
      if (s.Effect !== 'Allow' || service === undefined) continue;
      const condition = JSON.stringify(s.Condition ?? {});
      if (!condition.includes('"aws:SourceAccount"') && !condition.includes('"aws:SourceArn"')) {
        findings.push({ rule: 'confused-deputy', resource: id, detail: `${r.Type} allows ${JSON.stringify(service)} ${JSON.stringify(s.Action)} without aws:SourceAccount or aws:SourceArn` });
      }
    }
    if (r.Type === 'AWS::Lambda::Permission' && (p.Principal === '*' || p.FunctionUrlAuthType === 'NONE')) findings.push({ rule: 'public', resource: id, detail: 'Lambda invocable by anyone' });
    if (r.Type === 'AWS::Lambda::Url' && p.AuthType === 'NONE') findings.push({ rule: 'public', resource: id, detail: 'Lambda URL without auth' });
  }

  // --- Lambda environments ---------------------------------------------------------------------------
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    for (const [name, value] of Object.entries((r.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>)) {
      const text = renderIntrinsic(value);
      if (SECRET_NAME.test(name)) findings.push({ rule: 'lambda-env', resource: id, detail: `variable ${name} is named like a secret` });
      if (looksSecret(text)) findings.push({ rule: 'lambda-env', resource: id, detail: `variable ${name} holds what looks like a secret` });
    }
  }
  return findings;
}
