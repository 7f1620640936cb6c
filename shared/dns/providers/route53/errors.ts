/**
 * Typed errors of the Route 53 provider. Each `name` is a literal (Step Functions matches on it);
 * each message names the record, the zone and the fix (see {@link DnsError}).
 */
import { DnsError } from '../../errors.js';

/** The Route 53 API actions the provider calls, as IAM names them. */
export type Route53Action =
  | 'route53:ListHostedZonesByName'
  | 'route53:ListResourceRecordSets'
  | 'route53:ChangeResourceRecordSets'
  | 'route53:GetChange';

/**
 * No hosted zone holds the record: none of its parent names is a (public, or private when
 * `privateZone` is set) hosted zone of the account, or the configured `hostedZoneId` does not exist.
 *
 * @example
 * ```ts
 * throw new Route53ZoneNotFoundError('_acme-challenge.example.com', { privateZone: false });
 * ```
 */
export class Route53ZoneNotFoundError extends DnsError {
  constructor(record: string, options: { privateZone?: boolean; hostedZoneId?: string; cause?: unknown } = {}) {
    const kind = options.privateZone ? 'private' : 'public';
    super(
      options.hostedZoneId === undefined
        ? `no ${kind} Route 53 hosted zone of this account holds the record`
        : `the Route 53 hosted zone ${options.hostedZoneId} does not exist or is not visible to these credentials`,
      {
        record,
        ...(options.hostedZoneId === undefined ? {} : { zone: options.hostedZoneId }),
        cause: options.cause,
        fix:
          options.hostedZoneId === undefined
            ? `create a ${kind} hosted zone for the domain (or a parent of it), or set hostedZoneId (and roleArn for a zone in another account), ` +
              'or delegate the name with a CNAME from _acme-challenge to a zone you host'
            : 'set hostedZoneId to the id shown by `aws route53 list-hosted-zones`, and roleArn when the zone is in another account',
      },
    );
    this.name = 'Route53ZoneNotFoundError';
  }
}

/** Several hosted zones of the same kind carry the record's zone name; only one of them is delegated. */
export class Route53AmbiguousZoneError extends DnsError {
  readonly hostedZoneIds: readonly string[];

  constructor(record: string, zone: string, hostedZoneIds: readonly string[], options: { cause?: unknown } = {}) {
    super(`${hostedZoneIds.length} Route 53 hosted zones are named ${zone} (${hostedZoneIds.join(', ')})`, {
      record,
      zone,
      cause: options.cause,
      fix: 'set hostedZoneId to the zone whose name servers the parent zone delegates to (compare `dig NS` with each zone\'s DelegationSet)',
    });
    this.name = 'Route53AmbiguousZoneError';
    this.hostedZoneIds = hostedZoneIds;
  }
}

/** What each action needs in the policy, to name it in the fix. */
const NEEDED: Readonly<Record<Route53Action, (zoneId: string | undefined) => string>> = {
  'route53:ListHostedZonesByName': () => 'allow route53:ListHostedZonesByName on Resource "*" (the API accepts no narrower resource), or set hostedZoneId',
  'route53:ListResourceRecordSets': (zoneId) => `allow route53:ListResourceRecordSets on arn:aws:route53:::hostedzone/${zoneId ?? '<zone id>'}`,
  'route53:ChangeResourceRecordSets': (zoneId) =>
    `allow route53:ChangeResourceRecordSets on arn:aws:route53:::hostedzone/${zoneId ?? '<zone id>'} with the conditions ` +
    'ForAllValues:StringLike route53:ChangeResourceRecordSetsNormalizedRecordNames matching this record (default "_acme-challenge.*"), ' +
    'ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes ["TXT"] and route53:ChangeResourceRecordSetsActions ["UPSERT", "DELETE"]',
  'route53:GetChange': () => 'allow route53:GetChange on arn:aws:route53:::change/*',
};

/**
 * The AWS SDK found no credentials for Route 53 (its default chain: environment, profile, web
 * identity, container or instance role). Not transient: retrying cannot make credentials appear,
 * so the state machines do not retry it and the command line fails at once with the fix.
 */
export class Route53CredentialsError extends DnsError {
  readonly action: Route53Action;

  constructor(action: Route53Action, options: { record?: string; cause?: unknown } = {}) {
    super(`no AWS credentials for ${action}`, {
      ...(options.record === undefined ? {} : { record: options.record }),
      cause: options.cause,
      fix:
        'give the process AWS credentials: AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), a web identity, or an instance/task role; ' +
        'the provider manifest\'s iamPolicy() lists the permissions they need',
    });
    this.name = 'Route53CredentialsError';
    this.action = action;
  }
}

/**
 * Route 53 answered `AccessDenied`: the policy of the credentials (or of the assumed role) lacks the
 * action, or a condition (record name pattern, type, action) excludes this record.
 */
export class Route53AccessDeniedError extends DnsError {
  readonly action: Route53Action;

  constructor(action: Route53Action, options: { record?: string; zoneId?: string; zone?: string; cause?: unknown } = {}) {
    const zone = options.zone ?? options.zoneId;
    super(`Route 53 denied ${action}`, {
      ...(options.record === undefined ? {} : { record: options.record }),
      ...(zone === undefined ? {} : { zone: options.zoneId && options.zone ? `${options.zone} (${options.zoneId})` : zone }),
      cause: options.cause,
      fix: `${NEEDED[action](options.zoneId)}; the provider manifest's iamPolicy() writes the whole statement`,
    });
    this.name = 'Route53AccessDeniedError';
    this.action = action;
  }
}

/** Route 53 kept answering `Throttling` / `PriorRequestNotComplete` through every attempt. */
export class Route53ThrottledError extends DnsError {
  readonly action: Route53Action;
  readonly attempts: number;

  constructor(action: Route53Action, attempts: number, options: { record?: string; zone?: string; cause?: unknown } = {}) {
    super(`Route 53 throttled ${action} ${attempts} times in a row`, {
      ...options,
      fix: 'retry the step later; Route 53 allows five API requests per second per account, shared by every client of the account',
    });
    this.name = 'Route53ThrottledError';
    this.action = action;
    this.attempts = attempts;
  }
}

/** Route 53 rejected the change batch (`InvalidChangeBatch`) for a reason re-reading the record set does not cure. */
export class Route53ChangeRejectedError extends DnsError {
  /** Route 53's own explanation, e.g. `[RRSet of type TXT with DNS name ... is not permitted because a conflicting RRSet of type CNAME ...]`. */
  readonly route53Message: string;

  constructor(route53Message: string, options: { record: string; zone?: string; cause?: unknown }) {
    super(`Route 53 rejected the TXT change: ${route53Message}`, {
      ...options,
      fix: /conflicting RRSet of type CNAME/.test(route53Message)
        ? 'the name is a CNAME: publish the TXT record at the CNAME\'s target (CNAME delegation) instead of at the name itself'
        : /not permitted in zone/.test(route53Message)
          ? 'hostedZoneId points at a zone that does not contain this name; correct it or remove it to look the zone up'
          : 'check the record in the Route 53 console; another tool may be changing it at the same time',
    });
    this.name = 'Route53ChangeRejectedError';
    this.route53Message = route53Message;
  }
}

/** STS refused `AssumeRole` for the configured `roleArn`. */
export class Route53AssumeRoleError extends DnsError {
  readonly roleArn: string;

  constructor(roleArn: string, options: { cause?: unknown } = {}) {
    super(`assuming ${roleArn} for Route 53 failed`, {
      cause: options.cause,
      fix: `let the caller assume the role: the role's trust policy must name the caller's principal (with sts:ExternalId when externalId is set) and the caller needs sts:AssumeRole on ${roleArn}`,
    });
    this.name = 'Route53AssumeRoleError';
    this.roleArn = roleArn;
  }
}

/** The provider's configuration cannot work as given. */
export class Route53ConfigError extends DnsError {
  constructor(problem: string, fix: string) {
    super(problem, { fix });
    this.name = 'Route53ConfigError';
  }
}

/** Any other failure of a Route 53 call (network, an unexpected API error); the SDK error is the `cause`. */
export class Route53RequestError extends DnsError {
  readonly action: Route53Action;
  /** The SDK's error name, e.g. `NoSuchChange`, `InvalidInput`. */
  readonly code?: string;

  constructor(action: Route53Action, options: { record?: string; zone?: string; code?: string; cause?: unknown } = {}) {
    const { code, ...context } = options;
    super(`${action} failed${code === undefined ? '' : ` with ${code}`}${options.cause instanceof Error ? `: ${options.cause.message}` : ''}`, {
      ...context,
      fix: 'check network access to route53.amazonaws.com and the credentials; the cause has the details',
    });
    this.name = 'Route53RequestError';
    this.action = action;
    if (code !== undefined) this.code = code;
  }
}
