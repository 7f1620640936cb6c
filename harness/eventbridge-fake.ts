/**
 * A wire-level Amazon EventBridge fake: an HTTP server on 127.0.0.1 that answers `PutEvents` in
 * the real AWS JSON 1.1 protocol (POST `/`, `X-Amz-Target: AWSEvents.PutEvents`,
 * `Content-Type: application/x-amz-json-1.1`), so tests run the real `@aws-sdk/client-eventbridge`
 * against it (`endpoint`, any region, dummy credentials). It applies the request limits EventBridge
 * applies (1 to 10 entries, 256 KB counted its way, a JSON object as `Detail`), records every event
 * it accepted, and lets a test inject faults: failed entries (`FailedEntryCount` > 0, e.g.
 * `InternalFailure`) and whole-call errors (`{"__type":"ThrottlingException"}` with 400).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const JSON_11 = 'application/x-amz-json-1.1';
const MAX_ENTRIES = 10;
const MAX_BYTES = 256 * 1024;

/** An event the fake accepted, as a rule target would see it. */
export interface EventBridgeFakeEvent {
  readonly id: string;
  /** `default` when the entry named no bus. */
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  /** The parsed `Detail`. */
  readonly detail: unknown;
  /** The raw `Detail` string, as sent. */
  readonly rawDetail: string;
  readonly resources: readonly string[];
  /** The entry's `Time` (ISO), or when the fake received it. */
  readonly time: string;
}

/** One HTTP request the fake received. */
export interface EventBridgeFakeCall {
  readonly method: string;
  readonly path: string;
  /** The `X-Amz-Target` header. */
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  /** The access key id of the SigV4 `Authorization` header (signatures are not checked). */
  readonly accessKeyId?: string;
  /** How many entries the request carried. */
  readonly entryCount: number;
  readonly status: number;
  /** The `__type` of an error answer. */
  readonly errorType?: string;
  /** How many entries failed in a 200 answer. */
  readonly failedEntryCount?: number;
}

/** A fault to inject; `count` defaults to 1. */
export type EventBridgeFakeFault =
  /** The next `count` entries (across calls, in arrival order) fail with `errorCode`. @default errorCode 'InternalFailure' */
  | { readonly kind: 'fail-entries'; readonly count?: number; readonly errorCode?: string; readonly errorMessage?: string }
  /** The next `count` calls answer 400 `ThrottlingException`. */
  | { readonly kind: 'throttle'; readonly count?: number }
  /** The next `count` calls answer `status` with `__type` `type`. */
  | { readonly kind: 'call-error'; readonly status: number; readonly type: string; readonly message?: string; readonly count?: number };

export interface EventBridgeFake {
  /** `http://127.0.0.1:port`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  /** Every event accepted so far, oldest first. */
  readonly events: readonly EventBridgeFakeEvent[];
  /** Every request so far, oldest first. */
  readonly calls: readonly EventBridgeFakeCall[];
  inject(fault: EventBridgeFakeFault): void;
  clearFaults(): void;
  /** Forgets the events and calls (faults stay). */
  reset(): void;
  stop(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface RequestEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly Resources?: unknown;
  readonly EventBusName?: unknown;
  readonly Time?: unknown;
}

interface ResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

const utf8 = (value: unknown): number => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);

/** EventBridge's entry size (user guide, "Calculating PutEvents event entry size"). */
function entrySize(entry: RequestEntry): number {
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (entry.Time === undefined ? 0 : 14) + utf8(entry.Source) + utf8(entry.DetailType) + utf8(entry.Detail) + resources.reduce((s: number, r) => s + utf8(r), 0);
}

/** The SDK sends `Time` as epoch seconds in JSON 1.1. */
function timeOf(value: unknown): string {
  if (typeof value === 'number') return new Date(value * 1000).toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  return new Date().toISOString();
}

/**
 * Starts the fake. Stop it with {@link EventBridgeFake.stop}.
 *
 * @example
 * ```ts
 * const fake = await startEventBridgeFake();
 * const client = new EventBridgeClient({ endpoint: fake.endpoint, region: 'eu-west-3', maxAttempts: 1, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
 * fake.inject({ kind: 'fail-entries', count: 2, errorCode: 'InternalFailure' });
 * ```
 */
export async function startEventBridgeFake(): Promise<EventBridgeFake> {
  const events: EventBridgeFakeEvent[] = [];
  const calls: EventBridgeFakeCall[] = [];
  let entryFaults: { remaining: number; errorCode: string; errorMessage: string }[] = [];
  let callFaults: { remaining: number; error: ApiError }[] = [];

  const takeCallFault = (): ApiError | undefined => {
    const fault = callFaults[0];
    if (!fault) return undefined;
    if (--fault.remaining <= 0) callFaults.shift();
    return fault.error;
  };
  const takeEntryFault = (): { errorCode: string; errorMessage: string } | undefined => {
    const fault = entryFaults[0];
    if (!fault) return undefined;
    if (--fault.remaining <= 0) entryFaults.shift();
    return fault;
  };

  function putEvents(body: string): { Entries: ResultEntry[]; FailedEntryCount: number; entryCount: number } {
    let request: { Entries?: unknown };
    try {
      request = JSON.parse(body) as { Entries?: unknown };
    } catch {
      throw new ApiError(400, 'SerializationException', 'Start of structure or map found where not expected.');
    }
    const entries = request.Entries;
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new ApiError(400, 'ValidationException', "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    if (entries.length > MAX_ENTRIES) {
      throw new ApiError(400, 'ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`);
    }
    const typed = entries as RequestEntry[];
    if (typed.reduce((sum, entry) => sum + entrySize(entry), 0) > MAX_BYTES) {
      throw new ApiError(400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    const results = typed.map((entry): ResultEntry => {
      if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required.' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      if (entry.Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
      const fault = takeEntryFault();
      if (fault) return { ErrorCode: fault.errorCode, ErrorMessage: fault.errorMessage };
      const id = randomUUID();
      events.push({
        id,
        eventBusName: typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default',
        source: entry.Source,
        detailType: entry.DetailType,
        detail,
        rawDetail: entry.Detail,
        resources: Array.isArray(entry.Resources) ? entry.Resources.filter((r): r is string => typeof r === 'string') : [],
        time: timeOf(entry.Time),
      });
      return { EventId: id };
    });
    return { Entries: results, FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length, entryCount: typed.length };
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const target = request.headers['x-amz-target'] as string | undefined;
      const contentType = request.headers['content-type'];
      const accessKeyId = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '')?.[1];
      const body = Buffer.concat(chunks).toString('utf8');
      let status = 200;
      let payload: Record<string, unknown>;
      let errorType: string | undefined;
      let entryCount = 0;
      let failedEntryCount: number | undefined;
      try {
        try {
          entryCount = (JSON.parse(body) as { Entries?: unknown[] }).Entries?.length ?? 0;
        } catch {
          // counted as 0; putEvents reports the bad body
        }
        if (method !== 'POST' || path !== '/') throw new ApiError(404, 'UnknownOperationException', `The fake does not answer ${method} ${path}`);
        if (contentType !== JSON_11) throw new ApiError(400, 'UnknownOperationException', `Content-Type must be ${JSON_11}, not ${contentType ?? 'absent'}`);
        if (target !== 'AWSEvents.PutEvents') throw new ApiError(400, 'UnknownOperationException', `The fake answers AWSEvents.PutEvents only, not ${target ?? 'no X-Amz-Target'}`);
        const fault = takeCallFault();
        if (fault) throw fault;
        const result = putEvents(body);
        failedEntryCount = result.FailedEntryCount;
        payload = { FailedEntryCount: result.FailedEntryCount, Entries: result.Entries };
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalException', String(error));
        status = apiError.status;
        errorType = apiError.type;
        payload = { __type: apiError.type, message: apiError.message };
      }
      calls.push({
        method,
        path,
        target,
        contentType,
        ...(accessKeyId ? { accessKeyId } : {}),
        entryCount,
        status,
        ...(errorType ? { errorType } : {}),
        ...(failedEntryCount === undefined ? {} : { failedEntryCount }),
      });
      response.writeHead(status, { 'content-type': JSON_11, 'x-amzn-requestid': randomUUID() });
      response.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    calls,
    inject(fault) {
      const count = fault.count ?? 1;
      if (fault.kind === 'fail-entries') {
        const errorCode = fault.errorCode ?? 'InternalFailure';
        entryFaults.push({ remaining: count, errorCode, errorMessage: fault.errorMessage ?? `Injected ${errorCode}` });
      } else if (fault.kind === 'throttle') {
        callFaults.push({ remaining: count, error: new ApiError(400, 'ThrottlingException', 'Rate exceeded') });
      } else {
        callFaults.push({ remaining: count, error: new ApiError(fault.status, fault.type, fault.message ?? `Injected ${fault.type}`) });
      }
    },
    clearFaults() {
      entryFaults = [];
      callFaults = [];
    },
    reset() {
      events.length = 0;
      calls.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
