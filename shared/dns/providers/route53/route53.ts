import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
  type HostedZone,
  type ResourceRecordSet,
  type Route53ClientConfig,
} from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { normalizeDnsName } from '../../dns-name.js';
import { cachedLookup, zoneCandidates } from '../../zone-lookup.js';
import { DnsError } from '../../errors.js';
import type { ChangeRef, ChangeStatus, DnsProvider, TxtRecord } from '../../provider.js';
import { assumeRoleCredentials } from './assume-role.js';
import type { Route53Config } from './config.js';
import {
  Route53AccessDeniedError,
  Route53CredentialsError,
  Route53AmbiguousZoneError,
  Route53ChangeRejectedError,
  Route53ConfigError,
  Route53RequestError,
  Route53ThrottledError,
  Route53ZoneNotFoundError,
  type Route53Action,
} from './errors.js';
import { quoteTxtValue, route53NameToDnsName, unquoteTxtValue } from './presentation.js';

/** What the provider is built with; everything has a working default. */
export interface Route53DnsProviderDeps {
  /**
   * A ready Route 53 client, used as it is. Give `clientConfig` instead when `roleArn` is set, so the
   * provider can give the client it builds the assumed role's credentials.
   */
  readonly client?: Route53Client;
  /**
   * Configuration of the client the provider builds when `client` is absent (endpoint, credentials, ...).
   * @default { region: config.region ?? 'us-east-1', maxAttempts: 1 }: the provider does its own back-off
   */
  readonly clientConfig?: Route53ClientConfig;
  /** The STS client that assumes `roleArn`. @default new STSClient({ region }) */
  readonly sts?: STSClient;
  /** Waits between attempts of a throttled call. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** A hosted zone as the provider uses it: the id, and the name when it was looked up. */
interface ZoneRef {
  readonly id: string;
  readonly name?: string;
}

/** The TXT record set at a name, exactly as Route 53 returned it (DELETE must repeat it verbatim). */
interface ExistingTxtSet {
  readonly name: string;
  readonly ttl: number;
  readonly values: readonly string[];
}

const DEFAULT_TTL = 60;
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 4_000;
const RETRYABLE = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete']);
/** The `InvalidChangeBatch` messages that mean "the set changed between our read and our write". */
const CONCURRENT_CHANGE = /but it was not found|but it already exists|do not match the current values/;

const sleepWithTimeout = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * dns-01 on Amazon Route 53 (provider code `route53`).
 *
 * - The hosted zone is `hostedZoneId`, or the public (private with `privateZone`) zone whose name is
 *   the longest suffix of the record name, found with `ListHostedZonesByName`; two zones of the same
 *   kind and name are an error, since only one of them can be delegated.
 * - `upsertTxt` reads the TXT set and UPSERTs it with our values added to the ones already there
 *   (the set takes the record's TTL, 60 s by default); `deleteTxt` removes only our values: a DELETE
 *   repeating the set exactly when nothing else remains (Route 53 rejects a DELETE that does not
 *   match), else an UPSERT of the rest (keeping the set's TTL). Route 53 has no conditional UPSERT:
 *   two writers merging into one set in the same instant can lose a value; the propagation check
 *   sees that, and running the publish step again converges.
 * - When a change is rejected because the set changed between the read and the write, the provider
 *   reads again and retries once. Throttling (`Throttling`, `PriorRequestNotComplete`) and 5xx
 *   answers are retried with jittered exponential back-off (at most `maxAttempts` tries, a few
 *   seconds in all): a short pause inside one call, not a propagation wait.
 * - `changeStatus` asks `GetChange`: `INSYNC` means every Route 53 name server has the change.
 *
 * @example
 * ```ts
 * const provider = new Route53DnsProvider(route53ConfigSchema.parse({}));
 * const ref = await provider.upsertTxt({ name: '_acme-challenge.example.com', values: ['LoqXcYV8...'] });
 * // later, from the check step:
 * await provider.changeStatus(ref); // 'pending' | 'insync'
 * ```
 */
export class Route53DnsProvider implements DnsProvider {
  readonly code = 'route53';
  readonly #config: Route53Config;
  readonly #client: Route53Client;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  /** Zone lookups by record name, kept for the life of the provider (a warm Lambda reuses them). */
  readonly #zones = new Map<string, Promise<ZoneRef>>();

  constructor(config: Route53Config, deps: Route53DnsProviderDeps = {}) {
    this.#config = config;
    this.#sleep = deps.sleep ?? sleepWithTimeout;
    this.#random = deps.random ?? Math.random;
    if (config.roleArn !== undefined && deps.client !== undefined) {
      throw new Route53ConfigError(
        `roleArn ${config.roleArn} cannot be applied to a Route 53 client built elsewhere`,
        'pass clientConfig instead of client, so the provider builds the client with the assumed role\'s credentials',
      );
    }
    const region = config.region ?? 'us-east-1';
    this.#client =
      deps.client ??
      new Route53Client({
        region,
        maxAttempts: 1,
        ...deps.clientConfig,
        ...(config.roleArn === undefined
          ? {}
          : {
              credentials: assumeRoleCredentials(deps.sts ?? new STSClient({ region }), {
                roleArn: config.roleArn,
                ...(config.externalId === undefined ? {} : { externalId: config.externalId }),
              }),
            }),
      });
  }

  async upsertTxt(record: TxtRecord): Promise<ChangeRef> {
    const name = normalizeDnsName(record.name);
    const zone = await this.#zoneFor(name);
    const ours = [...new Set(record.values)];
    const changeId = await this.#changeWithReread(zone, name, (existing) => {
      const present = new Set(existing?.values.map(unquoteTxtValue));
      const values = [...(existing?.values ?? []), ...ours.filter((value) => !present.has(value)).map(quoteTxtValue)];
      return {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: `${name}.`,
          Type: 'TXT',
          TTL: record.ttl ?? DEFAULT_TTL,
          ResourceRecords: values.map((Value) => ({ Value })),
        },
      };
    });
    return { provider: this.code, ...(changeId === undefined ? {} : { id: changeId }), zoneId: zone.id };
  }

  async deleteTxt(record: TxtRecord): Promise<void> {
    const name = normalizeDnsName(record.name);
    const zone = await this.#zoneFor(name);
    const ours = new Set(record.values);
    await this.#changeWithReread(zone, name, (existing) => {
      if (!existing) return undefined;
      const remaining = existing.values.filter((value) => !ours.has(unquoteTxtValue(value)));
      if (remaining.length === existing.values.length) return undefined;
      // Route 53 DELETEs only a set given exactly as it is: same name spelling, TTL and values.
      const set = { Name: existing.name, Type: 'TXT' as const, TTL: existing.ttl };
      return remaining.length === 0
        ? { Action: 'DELETE', ResourceRecordSet: { ...set, ResourceRecords: existing.values.map((Value) => ({ Value })) } }
        : { Action: 'UPSERT', ResourceRecordSet: { ...set, ResourceRecords: remaining.map((Value) => ({ Value })) } };
    });
  }

  async changeStatus(ref: ChangeRef): Promise<ChangeStatus> {
    if (ref.id === undefined) return 'insync';
    const output = await this.#call('route53:GetChange', {}, () => this.#client.send(new GetChangeCommand({ Id: ref.id })));
    return output.ChangeInfo?.Status === 'INSYNC' ? 'insync' : 'pending';
  }

  /**
   * Read the set, build the change, send it; when Route 53 says the set changed in between
   * (another writer), read and build once more. Returns the change id, or undefined when there was nothing to change.
   */
  async #changeWithReread(
    zone: ZoneRef,
    name: string,
    build: (existing: ExistingTxtSet | undefined) => Change | undefined,
  ): Promise<string | undefined> {
    const context = { record: name, zone: zone.name ?? zone.id };
    for (let attempt = 1; ; attempt++) {
      const change = build(await this.#readTxt(zone, name));
      if (!change) return undefined;
      try {
        const output = await this.#call('route53:ChangeResourceRecordSets', { ...context, zoneId: zone.id }, () =>
          this.#client.send(
            new ChangeResourceRecordSetsCommand({
              HostedZoneId: zone.id,
              ChangeBatch: { Comment: `acmeflow dns-01 ${change.Action}`, Changes: [change] },
            }),
          ),
        );
        return output.ChangeInfo?.Id?.replace(/^\/change\//, '');
      } catch (error) {
        if (!(error instanceof Route53ChangeRejectedError)) throw error;
        if (attempt >= 2 || !CONCURRENT_CHANGE.test(error.route53Message)) throw error;
      }
    }
  }

  async #readTxt(zone: ZoneRef, name: string): Promise<ExistingTxtSet | undefined> {
    const output = await this.#call('route53:ListResourceRecordSets', { record: name, zone: zone.name ?? zone.id, zoneId: zone.id }, () =>
      this.#client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, StartRecordName: name, StartRecordType: 'TXT', MaxItems: 1 }),
      ),
    );
    // The listing starts *at* the name: when the name has no TXT set, the next set in the zone comes back.
    const set: ResourceRecordSet | undefined = output.ResourceRecordSets?.[0];
    if (!set?.Name || set.Type !== 'TXT' || set.SetIdentifier !== undefined || route53NameToDnsName(set.Name) !== name) return undefined;
    return { name: set.Name, ttl: set.TTL ?? DEFAULT_TTL, values: (set.ResourceRecords ?? []).map((r) => r.Value ?? '') };
  }

  #zoneFor(name: string): Promise<ZoneRef> {
    if (this.#config.hostedZoneId !== undefined) return Promise.resolve({ id: this.#config.hostedZoneId });
    return cachedLookup(this.#zones, name, () => this.#lookUpZone(name));
  }

  /** The zone whose name is the longest suffix of `name`: try `name`, then each parent, most specific first. */
  async #lookUpZone(name: string): Promise<ZoneRef> {
    for (const candidate of zoneCandidates(name)) {
      const zones = (await this.#zonesNamed(candidate, name)).filter(
        (zone) => (zone.Config?.PrivateZone ?? false) === this.#config.privateZone,
      );
      const ids = zones.map((zone) => (zone.Id ?? '').replace(/^\/hostedzone\//, ''));
      if (ids.length > 1) throw new Route53AmbiguousZoneError(name, candidate, ids);
      if (ids[0] !== undefined) return { id: ids[0], name: candidate };
    }
    throw new Route53ZoneNotFoundError(name, { privateZone: this.#config.privateZone });
  }

  /** Every hosted zone called exactly `zoneName`: they come first in `ListHostedZonesByName` order, page through them. */
  async #zonesNamed(zoneName: string, record: string): Promise<HostedZone[]> {
    const found: HostedZone[] = [];
    let next: { DNSName: string; HostedZoneId?: string } = { DNSName: zoneName };
    for (;;) {
      const page = await this.#call('route53:ListHostedZonesByName', { record }, () =>
        this.#client.send(new ListHostedZonesByNameCommand({ ...next, MaxItems: 100 })),
      );
      const named = (page.HostedZones ?? []).filter((zone) => route53NameToDnsName(zone.Name ?? '') === zoneName);
      found.push(...named);
      const more = page.IsTruncated && page.NextDNSName && route53NameToDnsName(page.NextDNSName) === zoneName;
      if (!more || named.length === 0) return found;
      next = { DNSName: page.NextDNSName ?? zoneName, ...(page.NextHostedZoneId ? { HostedZoneId: page.NextHostedZoneId } : {}) };
    }
  }

  /** One API call with back-off on throttling and 5xx, and SDK errors mapped to typed errors. */
  async #call<T>(action: Route53Action, context: { record?: string; zone?: string; zoneId?: string }, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const name = errorName(error);
        const throttled = RETRYABLE.has(name ?? '');
        const serverFault = (httpStatus(error) ?? 0) >= 500;
        if ((throttled || serverFault) && attempt < this.#config.maxAttempts) {
          // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").
          await this.#sleep(Math.floor(this.#random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1))));
          continue;
        }
        throw this.#typedError(error, action, context, throttled ? attempt : undefined);
      }
    }
  }

  #typedError(error: unknown, action: Route53Action, context: { record?: string; zone?: string; zoneId?: string }, throttledAttempts: number | undefined): Error {
    // Already typed: Route53AssumeRoleError, thrown by the credentials provider inside `send`.
    if (error instanceof DnsError) return error;
    const { record, zone, zoneId } = context;
    const where = { ...(record === undefined ? {} : { record }), ...(zone === undefined ? {} : { zone }) };
    const name = errorName(error);
    if (throttledAttempts !== undefined) return new Route53ThrottledError(action, throttledAttempts, { ...where, cause: error });
    // The SDK's default credential chain found nothing (@smithy's CredentialsProviderError).
    if (name === 'CredentialsProviderError') return new Route53CredentialsError(action, { ...(record === undefined ? {} : { record }), cause: error });
    if (name === 'AccessDenied' || name === 'AccessDeniedException' || httpStatus(error) === 403) {
      return new Route53AccessDeniedError(action, { ...where, ...(zoneId === undefined ? {} : { zoneId }), cause: error });
    }
    if (name === 'NoSuchHostedZone' && record !== undefined) {
      return new Route53ZoneNotFoundError(record, { hostedZoneId: zoneId ?? zone ?? '', privateZone: this.#config.privateZone, cause: error });
    }
    if (name === 'InvalidChangeBatch' && record !== undefined) {
      return new Route53ChangeRejectedError(error instanceof Error ? error.message : String(error), { ...where, record, cause: error });
    }
    return new Route53RequestError(action, { ...where, ...(name === undefined ? {} : { code: name }), cause: error });
  }
}
