import type { ServerResponse } from 'node:http';

/**
 * Writes `bytes` of filler to a response as fast as the client drains it, then ends it; stops when
 * the client hangs up. Memory stays flat on the server side, so a test can send hundreds of MB to
 * check that a reader caps what it takes.
 *
 * @example
 * ```ts
 * res.writeHead(200, { 'content-type': 'application/json' });
 * streamFiller(res, 512 * 1024 * 1024);
 * ```
 */
export function streamFiller(res: ServerResponse, bytes: number, chunkBytes = 64 * 1024): void {
  const chunk = Buffer.alloc(chunkBytes, 'a');
  let left = bytes;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => undefined);
  pump();
}
