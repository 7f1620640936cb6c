/**
 * Request counters for the S3 client (an HTTP handler in front of the SDK's own NodeHttpHandler, so
 * every request s3rver receives is counted, retries included; a transport for the signed reads that
 * bypass the SDK) and for the ACME CA (a transport wrapper).
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { nodeHttpTransport, type HttpTransport } from '../../shared/http/index.js';
import type { S3Counts } from './pricing.js';

type Handle = NodeHttpHandler['handle'];

/** Mutable S3 request counts by price tier. */
export class S3RequestCounter {
  readonly counts: { GET: number; HEAD: number; PUT: number; POST: number; LIST: number; DELETE: number } = {
    GET: 0,
    HEAD: 0,
    PUT: 0,
    POST: 0,
    LIST: 0,
    DELETE: 0,
  };

  /** Milliseconds spent waiting for answers, summed per kind (requests in flight together each count). */
  readonly waitMs: Record<keyof S3Counts, number> = { GET: 0, HEAD: 0, PUT: 0, POST: 0, LIST: 0, DELETE: 0 };

  snapshot(): S3Counts {
    return { ...this.counts };
  }

  /** An HTTP handler for `S3ClientConfig.requestHandler` that counts, then sends with a NodeHttpHandler. */
  handler(): NodeHttpHandler {
    const inner = new NodeHttpHandler();
    const counts = this.counts;
    const waitMs = this.waitMs;
    const counting = {
      metadata: inner.metadata,
      handle: ((request, options) => {
        const method = request.method.toUpperCase();
        const query = request.query ?? {};
        const kind: keyof S3Counts =
          method === 'GET' && ('list-type' in query || (request.path.split('/').filter(Boolean).length <= 1 && !('x-id' in query)))
            ? 'LIST'
            : method === 'HEAD' || method === 'PUT' || method === 'POST' || method === 'DELETE'
              ? method
              : 'GET';
        counts[kind]++;
        const t0 = performance.now();
        return inner.handle(request, options).finally(() => {
          waitMs[kind] += performance.now() - t0;
        });
      }) as Handle,
      updateHttpClientConfig: inner.updateHttpClientConfig.bind(inner),
      httpHandlerConfigs: inner.httpHandlerConfigs.bind(inner),
      destroy: inner.destroy.bind(inner),
    };
    return counting as unknown as NodeHttpHandler;
  }
}

/**
 * An {@link HttpTransport} for PlanRenewals's signed lineage reads (SignedObjectReader), counted
 * into the same {@link S3RequestCounter}: every request it sends is a GetObject.
 */
export function countingReadTransport(counter: S3RequestCounter): HttpTransport {
  const inner = nodeHttpTransport();
  return (request) => {
    counter.counts.GET++;
    const t0 = performance.now();
    return inner(request).finally(() => {
      counter.waitMs.GET += performance.now() - t0;
    });
  };
}

export function diffS3(after: S3Counts, before: S3Counts): S3Counts {
  return {
    GET: after.GET - before.GET,
    HEAD: after.HEAD - before.HEAD,
    PUT: after.PUT - before.PUT,
    POST: after.POST - before.POST,
    LIST: after.LIST - before.LIST,
    DELETE: after.DELETE - before.DELETE,
  };
}

/** A transport that counts requests by `METHOD first-path-segment` (the ACME requests of the functions). */
export function countingTransport(inner: HttpTransport): { transport: HttpTransport; total: () => number; byKind: Map<string, number> } {
  const byKind = new Map<string, number>();
  let total = 0;
  const transport: HttpTransport = (request) => {
    total++;
    const kind = `${request.method} /${new URL(request.url).pathname.split('/')[1] ?? ''}`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    return inner(request);
  };
  return { transport, total: () => total, byKind };
}
