/**
 * The AWS JSON 1.1 protocol as the wire-level fakes answer it (acm-fake.ts, secrets-manager-fake.ts):
 * POST `/` with `X-Amz-Target: <prefix>.<Action>` and an `application/x-amz-json-1.1` object body;
 * answers in the same content type; errors as `{ __type, message }` with `x-amzn-ErrorType` and their
 * status, which is how the SDK names the exception it throws. Faults are injected per action.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error answer: `type` becomes `__type` (the SDK's exception name). */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** An error to answer instead of the action's own answer, `count` times (once by default). */
export interface Json11Fault<A extends string> {
  /** Only this action; every action when absent. */
  readonly action?: A;
  readonly type: string;
  readonly message?: string;
  /** @default 400 */
  readonly status?: number;
  readonly count?: number;
}

/** One request the fake answered, as sent and as answered. */
export interface Json11Call<A extends string> {
  readonly action: A | 'Unknown';
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The request body as sent. */
  readonly rawRequest: string;
  /** The parsed request body (an empty object when it was not JSON). */
  readonly request: Readonly<Record<string, unknown>>;
  readonly status: number;
  /** The response body as sent. */
  readonly rawResponse: string;
  /** The `__type` of an error answer. */
  readonly errorType?: string;
  /** The access key id of the SigV4 `Authorization` header (signatures are not checked). */
  readonly accessKeyId?: string;
}

/** Who sent a request: the access key id of its SigV4 `Authorization` header (signatures are not checked). */
export interface Json11Context {
  readonly accessKeyId?: string;
}

export interface Json11ServerOptions<A extends string> {
  /** `CertificateManager`, `secretsmanager`: what `X-Amz-Target` starts with, before the dot. */
  readonly targetPrefix: string;
  readonly actions: readonly A[];
  /** Each action's answer for a parsed request; throw {@link ApiError} for an error answer. */
  readonly handlers: Readonly<Record<A, (request: Record<string, unknown>, context: Json11Context) => unknown>>;
  /** The `__type` of an unexpected exception in a handler (answered as a 500). */
  readonly internalErrorType: string;
  /** Called with every request answered, faults and errors included. */
  readonly onCall: (call: Json11Call<A>) => void;
}

export interface Json11Server<A extends string> {
  readonly endpoint: string;
  readonly server: http.Server;
  /** Queues a fault: the next matching request(s) get it instead of their answer. */
  inject(fault: Json11Fault<A>): void;
}

/** Starts a JSON 1.1 server for `options.actions` on a free loopback port. */
export async function startJson11Server<A extends string>(options: Json11ServerOptions<A>): Promise<Json11Server<A>> {
  let faults: Json11Fault<A>[] = [];
  const prefix = `${options.targetPrefix}.`;

  const takeFault = (action: A): ApiError | undefined => {
    const index = faults.findIndex((f) => f.action === undefined || f.action === action);
    const fault = faults[index];
    if (!fault) return undefined;
    const remaining = (fault.count ?? 1) - 1;
    faults = remaining > 0 ? faults.map((f, i) => (i === index ? { ...fault, count: remaining } : f)) : faults.filter((_, i) => i !== index);
    return new ApiError(fault.type, fault.message ?? `${fault.type} (injected)`, fault.status ?? 400);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawRequest = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const target = headers['x-amz-target'] ?? '';
      const named = target.startsWith(prefix) ? target.slice(prefix.length) : '';
      const action = (options.actions as readonly string[]).includes(named) ? (named as A) : 'Unknown';
      let request: Record<string, unknown> = {};
      let status = 200;
      let answer: unknown;
      let errorType: string | undefined;
      const accessKeyId = /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1];
      try {
        if (req.method !== 'POST' || action === 'Unknown') throw new ApiError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
        if (!(headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
          throw new ApiError('SerializationException', `Expected Content-Type application/x-amz-json-1.1, got ${headers['content-type'] ?? 'none'}`);
        }
        try {
          const parsed = JSON.parse(rawRequest || '{}') as unknown;
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
          request = parsed as Record<string, unknown>;
        } catch {
          throw new ApiError('SerializationException', 'The request body is not a JSON object.');
        }
        const fault = takeFault(action);
        if (fault) throw fault;
        answer = options.handlers[action](request, accessKeyId === undefined ? {} : { accessKeyId });
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(options.internalErrorType, (error as Error).message, 500);
        status = apiError.status;
        errorType = apiError.type;
        answer = { __type: apiError.type, message: apiError.message };
      }
      const rawResponse = JSON.stringify(answer);
      options.onCall({
        action,
        headers,
        rawRequest,
        request,
        status,
        rawResponse,
        ...(errorType === undefined ? {} : { errorType }),
        ...(accessKeyId === undefined ? {} : { accessKeyId }),
      });
      res.writeHead(status, {
        'Content-Type': 'application/x-amz-json-1.1',
        'Content-Length': Buffer.byteLength(rawResponse),
        'x-amzn-RequestId': randomUUID(),
        ...(errorType === undefined ? {} : { 'x-amzn-ErrorType': errorType }),
      });
      res.end(rawResponse);
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, server, inject: (fault) => void faults.push(fault) };
}
