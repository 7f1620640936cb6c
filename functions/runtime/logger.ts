import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { findSecret } from '../../shared/events/eventbridge/secret-guard.js';
import type { Logger } from '../../shared/workflow/deps.js';

/**
 * The structured logger of the Lambda shells: AWS Lambda Powertools' `Logger` (JSON lines with
 * level, service `acmeflow`, timestamp, cold start) behind the workflow's {@link Logger} interface.
 *
 * The workflow only ever logs public fields; the guard here is defence in depth: a field whose
 * name reads like a secret (`hmacKey`, `secret`, `token`, `password`, `privateKey`, ...) or whose
 * value holds key material (a PEM private key block anywhere inside, a private JWK) is dropped, and
 * its name listed under `redacted`. A message holding a PEM private key is replaced.
 */

/** What the wrapper writes to: Powertools' `Logger`, or anything with its three methods. */
export interface LogSink {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface CreateLoggerOptions {
  /** @default a Powertools Logger with service name `acmeflow` (log level from POWERTOOLS_LOG_LEVEL / AWS_LAMBDA_LOG_LEVEL) */
  readonly sink?: LogSink;
  /** @default 'acmeflow' */
  readonly serviceName?: string;
}

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const REDACTED_MESSAGE = '[redacted: the log message held a private key]';

/** Whether one field (name and value) would carry key material into a log line. */
function isSecretField(name: string, value: unknown): boolean {
  if (value instanceof Error) {
    return findSecret({ [name]: value.message }) !== undefined || PEM_PRIVATE_KEY.test(value.stack ?? '');
  }
  return findSecret({ [name]: value }) !== undefined;
}

/**
 * The fields safe to log, and the names of those dropped.
 *
 * @example
 * ```ts
 * redactLogFields({ lineage: 'example.com', hmacKey: 'c2VjcmV0' });
 * // { fields: { lineage: 'example.com' }, redacted: ['hmacKey'] }
 * ```
 */
export function redactLogFields(fields: Readonly<Record<string, unknown>>): { fields: Record<string, unknown>; redacted: string[] } {
  const kept: Record<string, unknown> = {};
  const redacted: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (isSecretField(name, value)) redacted.push(name);
    else kept[name] = value;
  }
  return { fields: kept, redacted };
}

/**
 * The workflow {@link Logger} on Powertools, with the redaction guard.
 *
 * @example
 * ```ts
 * const log = createLogger();
 * log.info('Published challenge records.', { lineage: 'example.com', records: ['_acme-challenge.example.com'] });
 * ```
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const sink: LogSink = options.sink ?? new PowertoolsLogger({ serviceName: options.serviceName ?? 'acmeflow' });
  const write = (level: keyof LogSink) => (message: string, fields?: Record<string, unknown>) => {
    const text = PEM_PRIVATE_KEY.test(message) ? REDACTED_MESSAGE : message;
    if (!fields) {
      sink[level](text);
      return;
    }
    const safe = redactLogFields(fields);
    sink[level](text, safe.redacted.length > 0 ? { ...safe.fields, redacted: safe.redacted } : safe.fields);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
