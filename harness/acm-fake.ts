/**
 * A wire-level AWS Certificate Manager fake: an HTTP server on 127.0.0.1 answering the real JSON 1.1
 * API (`POST /`, `X-Amz-Target: CertificateManager.<Action>`, `Content-Type: application/x-amz-json-1.1`)
 * for the actions acmeflow's ACM import target uses, so tests run the real `@aws-sdk/client-acm`
 * against it (`endpoint`, any region, dummy credentials).
 *
 * It applies the rules of the ACM documentation that matter for re-imports:
 * - ImportCertificate parses the certificate and key (node:crypto), requires that they match and that
 *   now lies in the validity period, and keeps no key: only the certificate's facts are stored.
 * - Without `CertificateArn` it creates a certificate with a new ARN; with one it replaces the
 *   certificate under the same ARN (`ResourceNotFoundException` for an unknown ARN), refuses tags
 *   ("Tagging is not permitted on re-import."), an ACM-issued target and a change of key algorithm.
 * - ListCertificates returns only RSA_1024 and RSA_2048 certificates unless `Includes.keyTypes` asks
 *   for others, as the API reference says; it pages with `MaxItems` / `NextToken`.
 *
 * - With `authorize`, every call is first put to it as IAM would see it (action `acm:<Action>`, the
 *   certificate's ARN, `aws:ResourceTag/<key>` of the certificate there, `aws:RequestTag/<key>` and
 *   `aws:TagKeys` of the request, and the caller's access key id); a refusal is
 *   `AccessDeniedException`, as ACM answers it. A certificate that does not exist has no tags, so a
 *   tag-scoped caller is refused it rather than told it is missing.
 *
 * The refusal messages other than the tagging one are paraphrases; the error types are ACM's.
 * Errors are status 400 with `{"__type":"<Code>","message":"…"}`. Every call is recorded with its raw
 * request (which holds the private key of an import: keep these records out of snapshots and logs).
 */
import { X509Certificate, createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { ApiError, startJson11Server, type Json11Call, type Json11Context, type Json11Fault } from './json11-fake.js';

export type AcmFakeAction = 'ImportCertificate' | 'ListCertificates' | 'ListTagsForCertificate' | 'AddTagsToCertificate' | 'DescribeCertificate';

const ACTIONS: readonly AcmFakeAction[] = ['ImportCertificate', 'ListCertificates', 'ListTagsForCertificate', 'AddTagsToCertificate', 'DescribeCertificate'];

/** One API call the fake received (its raw request may hold key material: keep it out of snapshots and logs). */
export type AcmFakeCall = Json11Call<AcmFakeAction>;

export interface AcmFakeTag {
  readonly Key: string;
  readonly Value?: string;
}

/** A certificate as the fake holds it: public facts only. */
export interface AcmFakeCertificate {
  readonly arn: string;
  readonly type: 'IMPORTED' | 'AMAZON_ISSUED';
  readonly domainName: string;
  readonly subjectAlternativeNames: readonly string[];
  /** Lower-case hex, colon-separated, as ACM writes it. */
  readonly serial: string;
  /** The API model's spelling: `RSA_2048`, `EC_prime256v1`, ... */
  readonly keyAlgorithm: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly certificatePem?: string;
  readonly chainPem?: string;
  readonly tags: readonly AcmFakeTag[];
  /** How many times ImportCertificate wrote this ARN (1 after the first import). */
  readonly importCount: number;
}

/** An error the next `count` (default 1) matching calls answer with, before any other check. */
/** An error answered instead of the action's answer (`type`: e.g. `ThrottlingException`), `count` times. */
export type AcmFakeFault = Json11Fault<AcmFakeAction>;

/** One call as IAM sees it (see `AcmFakeOptions.authorize`). */
export interface AcmAuthorizationRequest {
  readonly action: `acm:${AcmFakeAction}`;
  /** The certificate's ARN (for a new import, the ARN it is about to get). */
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  readonly accessKeyId?: string;
}

export interface AcmFakeOptions {
  /** Decides each call as the caller's IAM policy would (e.g. `harness/iam-policy-evaluator.ts` over a template's statements). @default every call allowed */
  readonly authorize?: (request: AcmAuthorizationRequest) => boolean;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Cap on every ListCertificates page, to exercise paging with a few certificates. @default ACM's 1000 */
  readonly maxItems?: number;
}

export interface AcmFake {
  /** `http://127.0.0.1:port`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  readonly region: string;
  certificate(arn: string): AcmFakeCertificate | undefined;
  readonly certificates: () => readonly AcmFakeCertificate[];
  /** Adds a certificate directly, as another tool of the account would (an ACM-issued one, or an import without tags). */
  put(certificate: { readonly domainName: string; readonly type?: 'IMPORTED' | 'AMAZON_ISSUED'; readonly keyAlgorithm?: string; readonly tags?: readonly AcmFakeTag[] }): string;
  /** Every API call so far, oldest first. */
  readonly calls: readonly AcmFakeCall[];
  inject(fault: AcmFakeFault): void;
  stop(): Promise<void>;
}

interface MutableCertificate {
  arn: string;
  type: 'IMPORTED' | 'AMAZON_ISSUED';
  domainName: string;
  subjectAlternativeNames: string[];
  serial: string;
  keyAlgorithm: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  certificatePem?: string;
  chainPem?: string;
  tags: AcmFakeTag[];
  importedAt?: Date;
  createdAt: Date;
  importCount: number;
}

const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048'];
const epochSeconds = (date: Date): number => date.getTime() / 1000;

function keyAlgorithmOf(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA_${details.modulusLength}`;
  if (key.asymmetricKeyType === 'ec') return `EC_${details.namedCurve}`;
  throw new ApiError('ValidationException', `The certificate's key type ${String(key.asymmetricKeyType)} is not supported.`);
}

function blob(body: Record<string, unknown>, field: string, options: { required: boolean }): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (options.required)
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value null at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`,
      );
    return undefined;
  }
  if (typeof value !== 'string') throw new ApiError('SerializationException', `${field} must be a base64 blob.`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/**
 * Starts the fake on a free loopback port.
 *
 * @example
 * ```ts
 * const fake = await startAcmFake();
 * const client = new ACMClient({ endpoint: fake.endpoint, region: fake.region, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
 * afterAll(() => fake.stop());
 * ```
 */
export async function startAcmFake(options: AcmFakeOptions = {}): Promise<AcmFake> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const certificates: MutableCertificate[] = [];
  const calls: AcmFakeCall[] = [];
  const newArn = (): string => `arn:aws:acm:${region}:${accountId}:certificate/${randomUUID()}`;

  const byArn = (body: Record<string, unknown>): MutableCertificate => {
    const arn = body.CertificateArn;
    if (typeof arn !== 'string')
      throw new ApiError('ValidationException', "1 validation error detected: Value null at 'certificateArn' failed to satisfy constraint: Member must not be null");
    if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(arn)) throw new ApiError('InvalidArnException', `String '${arn}' is not a valid ARN.`);
    const certificate = certificates.find((c) => c.arn === arn);
    if (!certificate) throw new ApiError('ResourceNotFoundException', `Could not find certificate ${arn}.`);
    return certificate;
  };
  const status = (certificate: MutableCertificate): string => (certificate.notAfter.getTime() < Date.now() ? 'EXPIRED' : 'ISSUED');

  const handlers: Record<AcmFakeAction, (body: Record<string, unknown>) => unknown> = {
    ImportCertificate(body) {
      const certificatePem = blob(body, 'Certificate', { required: true }) as string;
      const privateKeyPem = blob(body, 'PrivateKey', { required: true }) as string;
      const chainPem = blob(body, 'CertificateChain', { required: false });
      const target = typeof body.CertificateArn === 'string' ? byArn(body) : undefined;
      if (target && Array.isArray(body.Tags) && body.Tags.length > 0) throw new ApiError('ValidationException', 'Tagging is not permitted on re-import.');

      let x509: X509Certificate;
      try {
        x509 = new X509Certificate(certificatePem);
      } catch {
        throw new ApiError('ValidationException', 'Could not parse the certificate; it must be one PEM-encoded X.509 certificate.');
      }
      let key: KeyObject;
      try {
        key = createPrivateKey(privateKeyPem);
      } catch {
        throw new ApiError('ValidationException', 'The private key is not supported; it must be an unencrypted PEM-encoded key.');
      }
      if (!x509.checkPrivateKey(key)) throw new ApiError('ValidationException', 'The private key does not match the public key in the certificate.');
      const notBefore = new Date(x509.validFrom);
      const notAfter = new Date(x509.validTo);
      if (Date.now() < notBefore.getTime() || Date.now() > notAfter.getTime()) {
        throw new ApiError('ValidationException', 'The certificate is not valid now: the current time must be between its Not Before and Not After.');
      }
      if (chainPem !== undefined) {
        try {
          new X509Certificate(chainPem);
        } catch {
          throw new ApiError('ValidationException', 'Could not parse the certificate chain.');
        }
      }
      const keyAlgorithm = keyAlgorithmOf(x509.publicKey);
      const sans = (x509.subjectAltName ?? '')
        .split(', ')
        .filter((entry) => entry.startsWith('DNS:'))
        .map((entry) => entry.slice(4));
      const commonName = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1];
      const facts = {
        domainName: commonName ?? sans[0] ?? '',
        subjectAlternativeNames: sans.length > 0 ? sans : commonName ? [commonName] : [],
        serial: (x509.serialNumber.toLowerCase().match(/../g) ?? []).join(':'),
        keyAlgorithm,
        subject: x509.subject.replace(/\n/g, ','),
        issuer: x509.issuer.replace(/\n/g, ','),
        notBefore,
        notAfter,
        certificatePem,
        ...(chainPem === undefined ? {} : { chainPem }),
        importedAt: new Date(),
      };
      if (target) {
        if (target.type !== 'IMPORTED') throw new ApiError('ValidationException', `${target.arn} was not imported and cannot be re-imported.`);
        if (target.keyAlgorithm !== keyAlgorithm) {
          throw new ApiError('ValidationException', `The key algorithm cannot change on re-import: ${target.arn} has ${target.keyAlgorithm}, the new certificate ${keyAlgorithm}.`);
        }
        delete target.chainPem;
        Object.assign(target, facts, { importCount: target.importCount + 1 });
        return { CertificateArn: target.arn };
      }
      const tags = Array.isArray(body.Tags) ? (body.Tags as AcmFakeTag[]).map(({ Key, Value }) => ({ Key, ...(Value === undefined ? {} : { Value }) })) : [];
      const created: MutableCertificate = { arn: newArn(), type: 'IMPORTED', tags, createdAt: new Date(), importCount: 1, ...facts };
      certificates.push(created);
      return { CertificateArn: created.arn };
    },

    ListCertificates(body) {
      const includes = (body.Includes ?? {}) as { keyTypes?: unknown };
      const keyTypes = Array.isArray(includes.keyTypes) && includes.keyTypes.length > 0 ? (includes.keyTypes as string[]) : DEFAULT_KEY_TYPES;
      const statuses = Array.isArray(body.CertificateStatuses) ? (body.CertificateStatuses as string[]) : undefined;
      const matching = certificates.filter((c) => keyTypes.includes(c.keyAlgorithm) && (statuses === undefined || statuses.includes(status(c))));
      const start = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
      const size = Math.min(typeof body.MaxItems === 'number' ? body.MaxItems : 1000, options.maxItems ?? 1000);
      const page = matching.slice(start, start + size);
      return {
        CertificateSummaryList: page.map((c) => ({
          CertificateArn: c.arn,
          DomainName: c.domainName,
          SubjectAlternativeNameSummaries: c.subjectAlternativeNames,
          Type: c.type,
          Status: status(c),
          KeyAlgorithm: c.keyAlgorithm,
          NotBefore: epochSeconds(c.notBefore),
          NotAfter: epochSeconds(c.notAfter),
          CreatedAt: epochSeconds(c.createdAt),
          ...(c.importedAt === undefined ? {} : { ImportedAt: epochSeconds(c.importedAt) }),
          InUse: false,
        })),
        ...(start + size < matching.length ? { NextToken: String(start + size) } : {}),
      };
    },

    ListTagsForCertificate(body) {
      const certificate = byArn(body);
      return { Tags: certificate.tags };
    },

    AddTagsToCertificate(body) {
      const certificate = byArn(body);
      if (!Array.isArray(body.Tags) || body.Tags.length === 0)
        throw new ApiError('ValidationException', "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1");
      for (const { Key, Value } of body.Tags as AcmFakeTag[]) {
        certificate.tags = [...certificate.tags.filter((tag) => tag.Key !== Key), { Key, ...(Value === undefined ? {} : { Value }) }];
      }
      return {};
    },

    DescribeCertificate(body) {
      const c = byArn(body);
      return {
        Certificate: {
          CertificateArn: c.arn,
          DomainName: c.domainName,
          SubjectAlternativeNames: c.subjectAlternativeNames,
          Serial: c.serial,
          Subject: c.subject,
          Issuer: c.issuer,
          CreatedAt: epochSeconds(c.createdAt),
          ...(c.importedAt === undefined ? {} : { ImportedAt: epochSeconds(c.importedAt) }),
          NotBefore: epochSeconds(c.notBefore),
          NotAfter: epochSeconds(c.notAfter),
          KeyAlgorithm: c.keyAlgorithm,
          Type: c.type,
          Status: status(c),
          InUseBy: [],
        },
      };
    },
  };

  // IAM first, as ACM does: the tags of the certificate there (none when it does not exist) and of the request.
  const authorized = Object.fromEntries(
    ACTIONS.map((action) => [
      action,
      (body: Record<string, unknown>, caller: Json11Context) => {
        if (options.authorize) {
          const arn = typeof body.CertificateArn === 'string' ? body.CertificateArn : undefined;
          const existing = arn === undefined ? undefined : certificates.find((c) => c.arn === arn);
          const requestTags = Array.isArray(body.Tags) ? (body.Tags as AcmFakeTag[]) : [];
          const context: Record<string, string | string[]> = {};
          for (const tag of existing?.tags ?? []) context[`aws:ResourceTag/${tag.Key}`] = tag.Value ?? '';
          for (const tag of requestTags) context[`aws:RequestTag/${tag.Key}`] = tag.Value ?? '';
          if (requestTags.length > 0) context['aws:TagKeys'] = requestTags.map((tag) => tag.Key);
          const resource = arn ?? (action === 'ImportCertificate' ? `arn:aws:acm:${region}:${accountId}:certificate/${randomUUID()}` : '*');
          const request = { action: `acm:${action}` as const, resource, context, ...(caller.accessKeyId === undefined ? {} : { accessKeyId: caller.accessKeyId }) };
          if (!options.authorize(request)) {
            throw new ApiError('AccessDeniedException', `User: ${caller.accessKeyId ?? 'anonymous'} is not authorized to perform: acm:${action} on resource: ${resource}`);
          }
        }
        return handlers[action](body);
      },
    ]),
  ) as Record<AcmFakeAction, (body: Record<string, unknown>, caller: Json11Context) => unknown>;

  const json11 = await startJson11Server({
    targetPrefix: 'CertificateManager',
    actions: ACTIONS,
    handlers: authorized,
    internalErrorType: 'InternalFailure',
    onCall: (call) => void calls.push(call),
  });

  const view = (c: MutableCertificate): AcmFakeCertificate => ({
    arn: c.arn,
    type: c.type,
    domainName: c.domainName,
    subjectAlternativeNames: [...c.subjectAlternativeNames],
    serial: c.serial,
    keyAlgorithm: c.keyAlgorithm,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    ...(c.certificatePem === undefined ? {} : { certificatePem: c.certificatePem }),
    ...(c.chainPem === undefined ? {} : { chainPem: c.chainPem }),
    tags: c.tags.map((tag) => ({ ...tag })),
    importCount: c.importCount,
  });

  return {
    endpoint: json11.endpoint,
    region,
    certificate: (arn) => {
      const found = certificates.find((c) => c.arn === arn);
      return found ? view(found) : undefined;
    },
    certificates: () => certificates.map(view),
    put: (spec) => {
      const now = Date.now();
      const arn = newArn();
      certificates.push({
        arn,
        type: spec.type ?? 'IMPORTED',
        domainName: spec.domainName,
        subjectAlternativeNames: [spec.domainName],
        serial: '01',
        keyAlgorithm: spec.keyAlgorithm ?? 'RSA_2048',
        subject: `CN=${spec.domainName}`,
        issuer: 'CN=Somebody Else',
        notBefore: new Date(now - 86_400_000),
        notAfter: new Date(now + 30 * 86_400_000),
        tags: (spec.tags ?? []).map((tag) => ({ ...tag })),
        createdAt: new Date(now),
        ...(spec.type === 'AMAZON_ISSUED' ? {} : { importedAt: new Date(now) }),
        importCount: spec.type === 'AMAZON_ISSUED' ? 0 : 1,
      });
      return arn;
    },
    calls,
    inject: json11.inject,
    stop: () =>
      new Promise<void>((resolveClose) => {
        json11.server.closeAllConnections();
        json11.server.close(() => resolveClose());
      }),
  };
}
