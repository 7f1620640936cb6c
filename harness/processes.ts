import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/**
 * Server processes started by tests: output kept in a ring buffer, readiness polled, stopped with
 * SIGTERM then SIGKILL, and killed when the test process exits so no server outlives its test run.
 */

export interface SpawnServerOptions {
  /** Short name used in error messages, e.g. `pebble`. */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  /** The whole environment of the child (not merged with process.env here). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** How many output lines (stdout and stderr, interleaved) to keep. @default 200 */
  readonly keepLines?: number;
}

export interface WaitForOptions {
  /** Give up after this long. @default 10_000 */
  readonly timeoutMs?: number;
  /** Pause between probes. @default 25 */
  readonly intervalMs?: number;
  /** Named in the error message, e.g. `GET https://127.0.0.1:1234/dir`. */
  readonly description?: string;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  readonly error?: Error;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  /** The last lines the process wrote (stdout and stderr interleaved). */
  output(): string;
  /** Settles once the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  hasExited(): boolean;
  /**
   * Polls `probe` until it returns true. Throws {@link ProcessStartError} (with the last output lines)
   * when the process exits first or the deadline passes; in the latter case the process is stopped.
   */
  waitFor(probe: () => Promise<boolean>, options?: WaitForOptions): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process is gone. Idempotent. */
  stop(options?: { readonly timeoutMs?: number }): Promise<ProcessExit>;
}

/** A server process failed to become ready. `output` holds its last lines. */
export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
  readonly output: string;
  readonly exit: ProcessExit | undefined;
  constructor(message: string, output: string, exit: ProcessExit | undefined, options?: { cause?: unknown }) {
    super(`${message}\n--- last output ---\n${output || '(no output)'}\n--- end of output ---`, options);
    this.output = output;
    this.exit = exit;
  }
}

/**
 * Starts a server process with its output captured.
 *
 * @example
 * const proc = spawnServer({ name: 'pebble', command: 'pebble', args: ['-config', file] });
 * await proc.waitFor(tcpProbe('127.0.0.1', port));
 * // ...
 * await proc.stop();
 */
export function spawnServer(options: SpawnServerOptions): ManagedProcess {
  const keep = options.keepLines ?? 200;
  const lines: string[] = [];
  const push = (line: string): void => {
    lines.push(line);
    if (lines.length > keep) lines.splice(0, lines.length - keep);
  };

  const child = spawn(options.command, [...(options.args ?? [])], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);

  for (const stream of [child.stdout, child.stderr]) {
    let carry = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (carry + chunk).split('\n');
      carry = parts.pop() ?? '';
      for (const part of parts) push(part);
    });
    stream?.on('end', () => {
      if (carry) push(carry);
      carry = '';
    });
  }

  let exitInfo: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error) => {
      // 'error' without 'exit' means the spawn itself failed.
      if (child.pid === undefined) {
        exitInfo = { code: null, signal: null, error };
        untrack(child);
        resolve(exitInfo);
      } else {
        push(`[${options.name}: ${error.message}]`);
      }
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      untrack(child);
      resolve(exitInfo);
    });
  });

  const output = (): string => lines.join('\n');
  const describeExit = (e: ProcessExit): string =>
    e.error ? `could not be started (${e.error.message})` : `exited (code ${e.code}, signal ${e.signal})`;

  let stopping: Promise<ProcessExit> | undefined;
  const stop = (stopOptions?: { readonly timeoutMs?: number }): Promise<ProcessExit> => {
    stopping ??= (async () => {
      if (exitInfo) return exitInfo;
      child.kill('SIGTERM');
      const timeoutMs = stopOptions?.timeoutMs ?? 3_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') child.kill('SIGKILL');
      return exited;
    })();
    return stopping;
  };

  const waitFor = async (probe: () => Promise<boolean>, waitOptions?: WaitForOptions): Promise<void> => {
    const timeoutMs = waitOptions?.timeoutMs ?? 10_000;
    const intervalMs = waitOptions?.intervalMs ?? 25;
    const what = waitOptions?.description ? ` (waiting for ${waitOptions.description})` : '';
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      if (exitInfo) {
        throw new ProcessStartError(`${options.name} ${describeExit(exitInfo)} before it was ready${what}`, output(), exitInfo);
      }
      try {
        if (await probe()) return;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() >= deadline) {
        await stop({ timeoutMs: 1_000 });
        throw new ProcessStartError(`${options.name} was not ready after ${timeoutMs} ms${what}`, output(), exitInfo, {
          cause: lastError,
        });
      }
      // Wake early if the process dies while we sleep.
      await Promise.race([sleep(intervalMs), exited]);
    }
  };

  return {
    name: options.name,
    child,
    pid: child.pid,
    output,
    exited,
    hasExited: () => exitInfo !== undefined,
    waitFor,
    stop,
  };
}

/** A probe that succeeds once a TCP connection to `host:port` opens. */
export function tcpProbe(host: string, port: number, timeoutMs = 1_000): () => Promise<boolean> {
  return () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
}

/**
 * A probe that succeeds once `GET url` answers with a status accepted by `accept` (default: any response).
 * Pass a fetch that trusts the server's CA for HTTPS.
 */
export function httpProbe(
  url: string,
  options: { readonly fetch?: typeof fetch; readonly accept?: (status: number) => boolean; readonly timeoutMs?: number } = {},
): () => Promise<boolean> {
  const doFetch = options.fetch ?? fetch;
  const accept = options.accept ?? (() => true);
  return async () => {
    const res = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 1_000) });
    await res.arrayBuffer().catch(() => undefined);
    return accept(res.status);
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- kill what is still running when the test process goes away ------------------------------------------
//
// vitest ends its fork workers with SIGTERM, and a signal's default action ends the process without an
// 'exit' event, so the same cleanup also runs on SIGTERM/SIGINT/SIGHUP before the signal is re-raised.

const live = new Set<ChildProcess>();
const cleanups = new Set<() => void>();
let hooksInstalled = false;

/**
 * Runs `fn` (synchronously) when the test process exits or is ended by SIGTERM/SIGINT/SIGHUP, after the
 * tracked server processes were killed. Returns a function that unregisters it.
 *
 * @example
 * const unregister = onTestProcessExit(() => rmSync(dir, { recursive: true, force: true }));
 */
export function onTestProcessExit(fn: () => void): () => void {
  installHooks();
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

function track(child: ChildProcess): void {
  installHooks();
  live.add(child);
}

function untrack(child: ChildProcess): void {
  live.delete(child);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', runExitCleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      runExitCleanup();
      process.removeListener(signal, onSignal);
      // Only we were listening: our listener replaced the default action (ending the process), so restore it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function runExitCleanup(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort while exiting
    }
  }
  cleanups.clear();
}
