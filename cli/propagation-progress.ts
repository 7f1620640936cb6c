import type { Output } from './output.js';

/** What CheckPropagation logs with each round that is not ready (`fields.propagation`). */
export interface PropagationProgressFields {
  readonly elapsedSeconds: number;
  readonly timeoutSeconds: number;
}

/** A wait shorter than this is no news on a terminal: most records are there within seconds. */
const TERMINAL_AFTER_SECONDS = 5;
/** Without a terminal (cron, CI logs), one line a minute at most, from the first minute on. */
const LOG_EVERY_SECONDS = 60;

/**
 * Shows a long DNS wait: on a terminal each round from the fifth second on (which names are still
 * missing, on which server); otherwise a line per minute, so a log is neither silent for fifteen
 * minutes nor flooded. With `--json` the lines follow `-v` on stderr.
 *
 * @example
 * const progress = propagationProgress(cmd.out, { json: false });
 * progress('Waiting for DNS: _acme-challenge.a.test on 192.0.2.1:53', { elapsedSeconds: 75, timeoutSeconds: 900 });
 */
export function propagationProgress(out: Output, options: { readonly json: boolean }): (message: string, fields: PropagationProgressFields) => void {
  let lastShownAt = Number.NEGATIVE_INFINITY;
  return (message, { elapsedSeconds, timeoutSeconds }) => {
    const line = `  ${message} (${Math.round(elapsedSeconds)} s of ${timeoutSeconds} s; --dns-propagation-timeout)`;
    if (options.json) return out.debug(line);
    const terminal = out.stdout.isTTY === true;
    const due = terminal ? elapsedSeconds >= TERMINAL_AFTER_SECONDS : elapsedSeconds >= LOG_EVERY_SECONDS && elapsedSeconds - lastShownAt >= LOG_EVERY_SECONDS;
    if (!due) return out.debug(line);
    lastShownAt = elapsedSeconds;
    out.line(line);
  };
}
