import { DnsError } from '../../errors.js';

/** The `--manual-auth-hook` (or cleanup hook) exited non-zero or could not start. */
export class ManualHookError extends DnsError {
  readonly hook: 'auth' | 'cleanup';
  readonly exitCode: number | null;

  constructor(hook: 'auth' | 'cleanup', record: string, exitCode: number | null, stderrTail: string, options: { cause?: unknown } = {}) {
    super(`the manual ${hook} hook ${exitCode === null ? 'could not run' : `exited with code ${exitCode}`}${stderrTail === '' ? '' : `: ${stderrTail}`}`, {
      record,
      cause: options.cause,
      fix: `run the --manual-${hook}-hook command by hand with CERTBOT_DOMAIN and CERTBOT_VALIDATION set, and make it exit 0 once the TXT record is ${hook === 'auth' ? 'published' : 'removed'}`,
    });
    this.name = 'ManualHookError';
    this.hook = hook;
    this.exitCode = exitCode;
  }
}
