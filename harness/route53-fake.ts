/**
 * A wire-level Route 53 fake: an HTTP server on 127.0.0.1 that answers the real Route 53 REST/XML API
 * (2013-04-01) for the calls acmeflow makes, so tests run the real `@aws-sdk/client-route-53` against it
 * (`endpoint`, any region, dummy credentials). It enforces the validation Route 53 applies to change
 * batches (atomic batches, exact-match DELETE, CREATE on an existing set, quoted TXT values, CNAME
 * conflicts), answers errors in the real `<ErrorResponse>` shape so the SDK maps them to the right
 * exception class, reports changes PENDING for a configurable number of `GetChange` polls, lets a test
 * inject faults, and serves its public zones as authoritative DNS (UDP + TCP) so Pebble and the
 * propagation checker can resolve what the API wrote.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeDns, txtStrings, type DnsRecordSetView, type DnsZoneView, type FakeDnsServer } from './route53-fake-dns.js';
import { child, childrenNamed, element, parseXml, type XmlElement } from './route53-fake-xml.js';

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** A hosted zone to create when the fake starts. */
export interface Route53FakeZoneSpec {
  /** Zone apex, e.g. `example.com` (a trailing dot is fine). */
  readonly name: string;
  /** A private hosted zone: listed with `PrivateZone=true` and not served over DNS. @default false */
  readonly private?: boolean;
}

export interface Route53FakeOptions {
  readonly zones: readonly Route53FakeZoneSpec[];
  /** How many `GetChange` polls of a change answer `PENDING` before it turns `INSYNC`. @default 1 */
  readonly pendingPolls?: number;
  /** Cap on every page (`MaxItems`), to exercise pagination with few zones or records. @default Route 53's limits */
  readonly maxItems?: number;
}

/** The API operations the fake answers. */
export type Route53FakeOperation =
  | 'ListHostedZones'
  | 'ListHostedZonesByName'
  | 'ListResourceRecordSets'
  | 'ChangeResourceRecordSets'
  | 'GetChange';

/** A fault to inject. Counted faults answer the next `count` (default 1) matching calls with an error. */
export type Route53FakeFault =
  | { readonly kind: 'throttling' | 'prior-request-not-complete' | 'access-denied'; readonly count?: number; readonly operation?: Route53FakeOperation }
  | { readonly kind: 'server-error'; readonly status?: 500 | 503; readonly count?: number; readonly operation?: Route53FakeOperation }
  /** Every change answers `PENDING` to `GetChange` until {@link Route53Fake.clearFaults}. */
  | { readonly kind: 'pending-forever' }
  /** Right before the next `ChangeResourceRecordSets` is evaluated, another writer sets `name`'s TXT set to `values` (raw, quoted; empty deletes it). */
  | { readonly kind: 'concurrent-change'; readonly name: string; readonly values: readonly string[]; readonly ttl?: number };

/** One change of a batch, as the fake parsed it from the request XML. */
export interface Route53FakeChange {
  readonly action: string;
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly values: readonly string[];
}

/** One API call the fake received. */
export interface Route53FakeCall {
  readonly operation: Route53FakeOperation | 'Unknown';
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The access key id of the SigV4 `Authorization` header (signatures are not checked). */
  readonly accessKeyId?: string;
  /** The parsed change batch of a `ChangeResourceRecordSets`. */
  readonly changes?: readonly Route53FakeChange[];
  readonly status: number;
  readonly errorCode?: string;
}

/** A record set as the fake holds it: lower-case name without trailing dot, Route 53 presentation values. */
export interface Route53FakeRecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
}

export interface Route53Fake {
  /** `http://127.0.0.1:port`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  /** `127.0.0.1:port`: the authoritative DNS server (UDP and TCP) for the public zones. */
  readonly dnsServer: string;
  /** The zone id (without `/hostedzone/`) of the zone created for `name`; the public one when a name has two. */
  zoneId(name: string, options?: { readonly private?: boolean }): string;
  /** The record sets at `name`, in the most specific zone holding it (public first). */
  records(name: string): readonly Route53FakeRecordSet[];
  /** The TXT values at `name`, unquoted (multi-string values joined), sorted. */
  txt(name: string): string[];
  /** Write a record set directly, as another client of the account would (values in Route 53 form, `"quoted"` for TXT); no values deletes it. */
  put(record: { readonly name: string; readonly type?: string; readonly ttl?: number; readonly values: readonly string[]; readonly private?: boolean }): void;
  /** Every API call so far, oldest first. */
  readonly calls: readonly Route53FakeCall[];
  inject(fault: Route53FakeFault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

type CountedFault = Exclude<Route53FakeFault, { kind: 'pending-forever' | 'concurrent-change' }>;
type ConcurrentChange = Extract<Route53FakeFault, { kind: 'concurrent-change' }>;

interface Zone {
  readonly id: string;
  /** Lower case, no trailing dot. */
  readonly name: string;
  readonly private: boolean;
  readonly callerReference: string;
  /** Keyed by `name|type`. */
  rrsets: Map<string, Route53FakeRecordSet>;
}

interface ChangeState {
  readonly id: string;
  readonly submittedAt: string;
  readonly comment?: string;
  polls: number;
}

class Route53ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

const normalize = (name: string): string => name.trim().replace(/\.$/, '').toLowerCase().replace(/\\052/g, '*');
/** Route 53 writes names with a trailing dot and `*` as `\052` (its documented escaping). */
const present = (name: string): string => `${name.replace(/\*/g, '\\052')}.`;
const key = (name: string, type: string): string => `${name}|${type}`;

/** Route 53 orders names by their labels read right to left (`com.example.www`). */
function compareNames(a: string, b: string): number {
  const left = a.split('.').reverse();
  const right = b.split('.').reverse();
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const l = left[i] ?? '';
    const r = right[i] ?? '';
    if (l !== r) return l < r ? -1 : 1;
  }
  return left.length - right.length;
}

const randomId = (prefix: string): string =>
  prefix +
  [...randomBytes(13)]
    .map((byte) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[byte % 36])
    .join('');

function defaultRecords(zone: string): Route53FakeRecordSet[] {
  return [
    {
      name: zone,
      type: 'NS',
      ttl: 172800,
      values: ['ns-1536.awsdns-00.co.uk.', 'ns-0.awsdns-00.com.', 'ns-1024.awsdns-00.org.', 'ns-512.awsdns-00.net.'],
    },
    { name: zone, type: 'SOA', ttl: 900, values: ['ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'] },
  ];
}

/** Route 53's check of a TXT value: one or more quoted character-strings of at most 255 characters. */
function txtValueProblem(value: string): string | undefined {
  if (!/^\s*("(?:[^"\\]|\\.)*"\s*)+$/.test(value)) {
    return `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${value}''`;
  }
  for (const match of value.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    if ((match[1] ?? '').replace(/\\(\d{3}|.)/g, 'x').length > 255) {
      return `Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '${value}''`;
    }
  }
  return undefined;
}

function parseChanges(body: string): { comment?: string; changes: Route53FakeChange[] } {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (error) {
    throw new Route53ApiError(400, 'InvalidInput', `Could not parse the request body: ${(error as Error).message}`);
  }
  const batch = child(root, 'ChangeBatch');
  const changes = childrenNamed(child(batch, 'Changes'), 'Change').map((change): Route53FakeChange => {
    const set = child(change, 'ResourceRecordSet');
    const ttl = child(set, 'TTL');
    return {
      action: child(change, 'Action')?.text ?? '',
      name: normalize(child(set, 'Name')?.text ?? ''),
      type: child(set, 'Type')?.text ?? '',
      ...(ttl ? { ttl: Number(ttl.text) } : {}),
      values: childrenNamed(child(set, 'ResourceRecords'), 'ResourceRecord').map((r) => child(r, 'Value')?.text ?? ''),
    };
  });
  const comment = child(batch, 'Comment')?.text;
  return { ...(comment !== undefined ? { comment } : {}), changes };
}

/** Apply a batch atomically (all or nothing), with Route 53's validation messages. */
function applyBatch(zone: Zone, changes: readonly Route53FakeChange[]): void {
  if (changes.length === 0) throw new Route53ApiError(400, 'InvalidInput', '1 validation error detected: Value null at changeBatch.changes failed to satisfy constraint: Member must not be null');
  const working = new Map(zone.rrsets);
  const problems: string[] = [];
  for (const change of changes) {
    const label = `[name='${present(change.name)}', type='${change.type}']`;
    if (!['CREATE', 'DELETE', 'UPSERT'].includes(change.action)) {
      throw new Route53ApiError(400, 'InvalidInput', `Invalid XML ; cvc-enumeration-valid: Value '${change.action}' is not facet-valid with respect to enumeration '[CREATE, DELETE, UPSERT]'.`);
    }
    if (change.ttl === undefined || change.values.length === 0) {
      throw new Route53ApiError(400, 'InvalidInput', `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=${change.action}, Name=${present(change.name)}, Type=${change.type}, SetIdentifier=null]`);
    }
    if (change.name !== zone.name && !change.name.endsWith(`.${zone.name}`)) {
      problems.push(`RRSet with DNS name ${present(change.name)} is not permitted in zone ${present(zone.name)}`);
      continue;
    }
    if (change.type === 'TXT') {
      const invalid = change.values.map(txtValueProblem).find((p) => p !== undefined);
      if (invalid) {
        problems.push(invalid);
        continue;
      }
    }
    const duplicate = change.values.find((v, i) => change.values.indexOf(v) !== i);
    if (duplicate !== undefined && change.action !== 'DELETE') {
      problems.push(`Duplicate Resource Record: '${duplicate}'`);
      continue;
    }
    const existing = working.get(key(change.name, change.type));
    if (change.action === 'DELETE') {
      if (!existing) problems.push(`Tried to delete resource record set ${label} but it was not found`);
      else if (existing.ttl !== change.ttl || [...existing.values].sort().join('\n') !== [...change.values].sort().join('\n')) {
        problems.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
      } else working.delete(key(change.name, change.type));
      continue;
    }
    if (change.action === 'CREATE' && existing) {
      problems.push(`Tried to create resource record set ${label} but it already exists`);
      continue;
    }
    const conflicting = [...working.values()].find(
      (s) => s.name === change.name && s.type !== change.type && (s.type === 'CNAME' || change.type === 'CNAME'),
    );
    if (conflicting) {
      problems.push(`RRSet of type ${change.type} with DNS name ${present(change.name)} is not permitted because a conflicting RRSet of type ${conflicting.type} with the same DNS name already exists in zone ${present(zone.name)}.`);
      continue;
    }
    working.set(key(change.name, change.type), { name: change.name, type: change.type, ttl: change.ttl, values: [...change.values] });
  }
  if (problems.length > 0) throw new Route53ApiError(400, 'InvalidChangeBatch', `[${problems.join(', ')}]`);
  zone.rrsets = working;
}

function hostedZoneXml(zone: Zone): string {
  return (
    '<HostedZone>' +
    element('Id', `/hostedzone/${zone.id}`) +
    element('Name', present(zone.name)) +
    element('CallerReference', zone.callerReference) +
    `<Config>${element('PrivateZone', zone.private)}</Config>` +
    element('ResourceRecordSetCount', zone.rrsets.size) +
    '</HostedZone>'
  );
}

function recordSetXml(set: Route53FakeRecordSet): string {
  return (
    '<ResourceRecordSet>' +
    element('Name', present(set.name)) +
    element('Type', set.type) +
    element('TTL', set.ttl) +
    `<ResourceRecords>${set.values.map((v) => `<ResourceRecord>${element('Value', v)}</ResourceRecord>`).join('')}</ResourceRecords>` +
    '</ResourceRecordSet>'
  );
}

function changeInfoXml(change: ChangeState, status: 'PENDING' | 'INSYNC'): string {
  return `<ChangeInfo>${element('Id', `/change/${change.id}`)}${element('Status', status)}${element('SubmittedAt', change.submittedAt)}${element('Comment', change.comment)}</ChangeInfo>`;
}

const document = (root: string, inner: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${XMLNS}">${inner}</${root}>`;

const FAULT_ERRORS = {
  throttling: () => new Route53ApiError(400, 'Throttling', 'Rate exceeded'),
  'prior-request-not-complete': () =>
    new Route53ApiError(400, 'PriorRequestNotComplete', 'The request was rejected because Route 53 was still processing a prior request.'),
  'access-denied': (operation: string) =>
    new Route53ApiError(403, 'AccessDenied', `User: arn:aws:sts::111122223333:assumed-role/acmeflow/test is not authorized to perform: route53:${operation} because no identity-based policy allows the route53:${operation} action`),
} as const;

/**
 * Start the fake on loopback ports. Stop it in `afterAll`/`afterEach`.
 *
 * @example
 * ```ts
 * const fake = await startRoute53Fake({ zones: [{ name: 'example.com' }] });
 * const client = new Route53Client({ endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
 * await client.send(new ListHostedZonesCommand({}));
 * await fake.stop();
 * ```
 */
export async function startRoute53Fake(options: Route53FakeOptions): Promise<Route53Fake> {
  const pendingPolls = options.pendingPolls ?? 1;
  const zones: Zone[] = options.zones.map((spec) => {
    const name = normalize(spec.name);
    const rrsets = new Map(defaultRecords(name).map((set) => [key(set.name, set.type), set]));
    return { id: randomId('Z'), name, private: spec.private ?? false, callerReference: randomUUID(), rrsets };
  });
  const changes = new Map<string, ChangeState>();
  const calls: Route53FakeCall[] = [];
  let counted: CountedFault[] = [];
  let concurrentChanges: ConcurrentChange[] = [];
  let pendingForever = false;
  const pageSize = (requested: string | undefined, limit: number): number =>
    Math.min(Number(requested ?? limit) || limit, limit, options.maxItems ?? Number.POSITIVE_INFINITY);

  const zoneById = (id: string): Zone => {
    const zone = zones.find((z) => z.id === id.replace(/^\/?hostedzone\//, ''));
    if (!zone) throw new Route53ApiError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
    return zone;
  };
  const zoneHolding = (name: string, isPrivate?: boolean): Zone | undefined =>
    zones
      .filter((z) => (name === z.name || name.endsWith(`.${z.name}`)) && (isPrivate === undefined || z.private === isPrivate))
      .sort((a, b) => b.name.length - a.name.length || Number(a.private) - Number(b.private))[0];

  function takeFault(operation: Route53FakeOperation): Route53ApiError | undefined {
    const index = counted.findIndex((f) => f.operation === undefined || f.operation === operation);
    const fault = counted[index];
    if (!fault) return undefined;
    const remaining = (fault.count ?? 1) - 1;
    counted = remaining > 0 ? counted.map((f, i) => (i === index ? { ...fault, count: remaining } : f)) : counted.filter((_, i) => i !== index);
    if (fault.kind === 'server-error') {
      return fault.status === 503
        ? new Route53ApiError(503, 'ServiceUnavailable', 'Service Unavailable', 'Receiver')
        : new Route53ApiError(500, 'InternalFailure', 'An internal error occurred.', 'Receiver');
    }
    return FAULT_ERRORS[fault.kind](operation);
  }

  function writeRecord(record: { name: string; type?: string; ttl?: number; values: readonly string[]; private?: boolean }): void {
    const name = normalize(record.name);
    const type = record.type ?? 'TXT';
    const zone = zoneHolding(name, record.private ?? false);
    if (!zone) throw new Error(`route53 fake: no zone holds ${name}`);
    if (record.values.length === 0) zone.rrsets.delete(key(name, type));
    else zone.rrsets.set(key(name, type), { name, type, ttl: record.ttl ?? 300, values: [...record.values] });
  }

  function route(method: string, path: string): { operation: Route53FakeOperation; id?: string } | undefined {
    const parts = path.replace(/\/+$/, '').split('/').filter(Boolean);
    if (parts[0] !== '2013-04-01') return undefined;
    const [, resource, id, sub] = parts;
    if (method === 'GET' && resource === 'hostedzone' && id === undefined) return { operation: 'ListHostedZones' };
    if (method === 'GET' && resource === 'hostedzonesbyname' && id === undefined) return { operation: 'ListHostedZonesByName' };
    if (resource === 'hostedzone' && id !== undefined && sub === 'rrset' && parts.length === 4) {
      if (method === 'GET') return { operation: 'ListResourceRecordSets', id };
      if (method === 'POST') return { operation: 'ChangeResourceRecordSets', id };
    }
    if (method === 'GET' && resource === 'change' && id !== undefined && parts.length === 3) return { operation: 'GetChange', id };
    return undefined;
  }

  function listHostedZones(query: Record<string, string>): string {
    const sorted = [...zones].sort((a, b) => (a.id < b.id ? -1 : 1));
    const start = query.marker ? sorted.findIndex((z) => z.id === query.marker) : 0;
    if (start < 0) throw new Route53ApiError(400, 'InvalidInput', `Invalid marker: ${query.marker}`);
    const size = pageSize(query.maxitems, 100);
    const page = sorted.slice(start, start + size);
    const next = sorted[start + size];
    return document(
      'ListHostedZonesResponse',
      `<HostedZones>${page.map(hostedZoneXml).join('')}</HostedZones>` +
        element('Marker', query.marker) +
        element('IsTruncated', next !== undefined) +
        element('NextMarker', next?.id) +
        element('MaxItems', size),
    );
  }

  function listHostedZonesByName(query: Record<string, string>): string {
    if (query.hostedzoneid && !query.dnsname) throw new Route53ApiError(400, 'InvalidInput', 'The hostedzoneid parameter requires the dnsname parameter.');
    const sorted = [...zones].sort((a, b) => compareNames(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const from = query.dnsname ? normalize(query.dnsname) : undefined;
    const start = from === undefined
      ? 0
      : sorted.findIndex((z) => {
          const order = compareNames(z.name, from);
          return order > 0 || (order === 0 && (!query.hostedzoneid || z.id >= query.hostedzoneid));
        });
    const size = pageSize(query.maxitems, 100);
    const first = start < 0 ? sorted.length : start;
    const page = sorted.slice(first, first + size);
    const next = sorted[first + size];
    return document(
      'ListHostedZonesByNameResponse',
      `<HostedZones>${page.map(hostedZoneXml).join('')}</HostedZones>` +
        element('DNSName', query.dnsname) +
        element('HostedZoneId', query.hostedzoneid) +
        element('IsTruncated', next !== undefined) +
        element('NextDNSName', next ? present(next.name) : undefined) +
        element('NextHostedZoneId', next?.id) +
        element('MaxItems', size),
    );
  }

  function listResourceRecordSets(zone: Zone, query: Record<string, string>): string {
    if (query.type && !query.name) throw new Route53ApiError(400, 'InvalidInput', 'The type parameter requires the name parameter.');
    const sorted = [...zone.rrsets.values()].sort((a, b) => compareNames(a.name, b.name) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    const from = query.name ? normalize(query.name) : undefined;
    const start = from === undefined
      ? 0
      : sorted.findIndex((s) => {
          const order = compareNames(s.name, from);
          return order > 0 || (order === 0 && (!query.type || s.type >= query.type));
        });
    const size = pageSize(query.maxitems, 300);
    const first = start < 0 ? sorted.length : start;
    const page = sorted.slice(first, first + size);
    const next = sorted[first + size];
    return document(
      'ListResourceRecordSetsResponse',
      `<ResourceRecordSets>${page.map(recordSetXml).join('')}</ResourceRecordSets>` +
        element('IsTruncated', next !== undefined) +
        element('NextRecordName', next ? present(next.name) : undefined) +
        element('NextRecordType', next?.type) +
        element('MaxItems', size),
    );
  }

  function changeResourceRecordSets(zone: Zone, parsed: { comment?: string; changes: Route53FakeChange[] }): string {
    const concurrent = concurrentChanges.shift();
    if (concurrent) writeRecord({ name: concurrent.name, type: 'TXT', ttl: concurrent.ttl ?? 300, values: concurrent.values });
    applyBatch(zone, parsed.changes);
    const change: ChangeState = {
      id: randomId('C'),
      submittedAt: new Date().toISOString(),
      ...(parsed.comment !== undefined ? { comment: parsed.comment } : {}),
      polls: 0,
    };
    changes.set(change.id, change);
    return document('ChangeResourceRecordSetsResponse', changeInfoXml(change, 'PENDING'));
  }

  function getChange(id: string): string {
    const change = changes.get(id.replace(/^\/?change\//, ''));
    if (!change) throw new Route53ApiError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
    change.polls += 1;
    const status = pendingForever || change.polls <= pendingPolls ? 'PENDING' : 'INSYNC';
    return document('GetChangeResponse', changeInfoXml(change, status));
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const query = Object.fromEntries(url.searchParams);
      const method = request.method ?? 'GET';
      const body = Buffer.concat(chunks).toString('utf8');
      const accessKeyId = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '')?.[1];
      const requestId = randomUUID();
      const target = route(method, url.pathname);
      let status = 200;
      let errorCode: string | undefined;
      let payload: string;
      let parsed: { comment?: string; changes: Route53FakeChange[] } | undefined;
      try {
        if (!target) throw new Route53ApiError(404, 'UnknownOperationException', `The fake does not answer ${method} ${url.pathname}`);
        const fault = takeFault(target.operation);
        if (fault) throw fault;
        switch (target.operation) {
          case 'ListHostedZones':
            payload = listHostedZones(query);
            break;
          case 'ListHostedZonesByName':
            payload = listHostedZonesByName(query);
            break;
          case 'ListResourceRecordSets':
            payload = listResourceRecordSets(zoneById(target.id ?? ''), query);
            break;
          case 'ChangeResourceRecordSets': {
            parsed = parseChanges(body);
            payload = changeResourceRecordSets(zoneById(target.id ?? ''), parsed);
            break;
          }
          case 'GetChange':
            payload = getChange(target.id ?? '');
            break;
        }
      } catch (error) {
        const apiError = error instanceof Route53ApiError ? error : new Route53ApiError(500, 'InternalFailure', String(error), 'Receiver');
        status = apiError.status;
        errorCode = apiError.code;
        payload = document(
          'ErrorResponse',
          `<Error>${element('Type', apiError.type)}${element('Code', apiError.code)}${element('Message', apiError.message)}</Error>${element('RequestId', requestId)}`,
        );
      }
      calls.push({
        operation: target?.operation ?? 'Unknown',
        method,
        path: url.pathname,
        query,
        ...(accessKeyId ? { accessKeyId } : {}),
        ...(parsed ? { changes: parsed.changes } : {}),
        status,
        ...(errorCode ? { errorCode } : {}),
      });
      response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      response.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const recordsAt = (name: string): Route53FakeRecordSet[] => {
    const wanted = normalize(name);
    const zone = zoneHolding(wanted, false) ?? zoneHolding(wanted, true);
    return zone ? [...zone.rrsets.values()].filter((s) => s.name === wanted) : [];
  };
  const zoneView = (zone: Zone): DnsZoneView => ({
    name: zone.name,
    recordSets: (name: string): DnsRecordSetView[] => [...zone.rrsets.values()].filter((s) => s.name === name),
    hasNamesBelow: (name: string) => [...zone.rrsets.values()].some((s) => s.name.endsWith(`.${name}`)),
  });
  let dns: FakeDnsServer;
  try {
    dns = await startFakeDns(() => zones.filter((z) => !z.private).map(zoneView));
  } catch (error) {
    server.close();
    throw error;
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    dnsServer: `127.0.0.1:${dns.port}`,
    zoneId(name, which) {
      const wanted = normalize(name);
      const zone = zones.find((z) => z.name === wanted && z.private === (which?.private ?? false));
      if (!zone) throw new Error(`route53 fake: no ${which?.private ? 'private' : 'public'} zone ${wanted}`);
      return zone.id;
    },
    records: recordsAt,
    txt(name) {
      return (recordsAt(name).find((s) => s.type === 'TXT')?.values ?? []).map((value) => Buffer.concat(txtStrings(value)).toString('utf8')).sort();
    },
    put: writeRecord,
    calls,
    inject(fault) {
      if (fault.kind === 'pending-forever') pendingForever = true;
      else if (fault.kind === 'concurrent-change') concurrentChanges.push(fault);
      else counted.push(fault);
    },
    clearFaults() {
      counted = [];
      concurrentChanges = [];
      pendingForever = false;
    },
    async stop() {
      server.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), dns.stop()]);
    },
  };
}
