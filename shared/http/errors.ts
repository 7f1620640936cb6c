/**
 * The answer was larger than the caller allows. Raised while reading, as soon as the count passes
 * the limit (or at once when `Content-Length` announces more), so a server that streams without end
 * costs at most the limit in memory, not the process.
 */
export class HttpResponseTooLargeError extends Error {
  readonly url: string;
  readonly limitBytes: number;
  constructor(url: string, limitBytes: number, options: { cause?: unknown } = {}) {
    super(`The answer from ${url} is larger than ${limitBytes} bytes; stopped reading it.`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpResponseTooLargeError';
    this.url = url;
    this.limitBytes = limitBytes;
  }
}
