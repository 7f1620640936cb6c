import { HttpResponseTooLargeError } from './errors.js';

/** The most a DNS provider's API answer is read to: a page of records is tens of kilobytes. */
export const API_RESPONSE_MAX_BYTES = 1024 * 1024;

/**
 * Reads a fetch `Response` body as UTF-8 text, at most `maxBytes` of it: the reading stops and
 * {@link HttpResponseTooLargeError} is thrown as soon as more arrives (or `Content-Length` announces
 * more). For the fetch-based API clients (DNS providers) whose servers are not ours to trust.
 *
 * @example
 * const text = await readCappedText(response, 1024 * 1024);
 */
export async function readCappedText(response: Response, maxBytes: number, url = response.url): Promise<string> {
  const announced = Number(response.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new HttpResponseTooLargeError(url, maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new HttpResponseTooLargeError(url, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
