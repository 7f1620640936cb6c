/**
 * The `acmeflow` command as a real process (`node bin/acmeflow.mjs ...`), watched through its
 * verbose progress lines (`<ISO time> <StateName>` on stderr, printed when a state is entered with
 * -v) and killed with SIGKILL the moment a chosen state is entered — that is, right after the step
 * before it completed — optionally after a small delay, to land inside the step.
 */
import { spawn } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestProcessExit } from '../../support/processes.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const STEP_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z (.+)$/;

export interface CliProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The states entered, in order, as the progress lines named them. */
  readonly entered: string[];
  /** Set when the process was killed on entering the target state. */
  readonly killedIn?: string;
}

export interface RunCliOptions {
  /** The whole environment of the child. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * SIGKILL when this state is entered (its first progress line), `delayMs` later; or, with `watch`,
   * the moment a file whose name matches appears or is replaced in `watch.dir` (inotify), once the
   * state was entered.
   */
  readonly killOn?: { readonly state: string; readonly delayMs?: number; readonly watch?: { readonly dir: string; readonly file: RegExp } };
  /** Give up (SIGKILL, reject) after this long. @default 60_000 */
  readonly timeoutMs?: number;
}

/**
 * Runs `acmeflow <args>` as a child process; resolves when it has exited (killed or not).
 *
 * @example
 * const r = await runCliProcess(['renew', '--force-renewal', '--cert-name', 'a', '-v'], { env, killOn: { state: 'StoreCertificate' } });
 * r.signal; // 'SIGKILL'
 */
export function runCliProcess(args: readonly string[], options: RunCliOptions): Promise<CliProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'acmeflow.mjs'), ...args], { cwd: REPO, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forget = onTestProcessExit(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    let carry = '';
    const entered: string[] = [];
    let killedIn: string | undefined;
    let killScheduled = false;
    let watcher: FSWatcher | undefined;
    const kill = (state: string) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killedIn = state;
      child.kill('SIGKILL');
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const parts = (carry + chunk).split('\n');
      carry = parts.pop() ?? '';
      for (const line of parts) {
        const m = STEP_LINE.exec(line);
        if (!m) continue;
        const state = m[1] as string;
        entered.push(state);
        if (options.killOn && !killScheduled && state === options.killOn.state) {
          killScheduled = true;
          const { watch: watched, delayMs = 0 } = options.killOn;
          if (watched) {
            watcher = watch(watched.dir, (_event, file) => {
              if (file && watched.file.test(file)) {
                kill(`${state} (${file})`);
                watcher?.close();
              }
            });
          } else if (delayMs <= 0) kill(state);
          else setTimeout(() => kill(state), delayMs);
        }
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`acmeflow ${args.join(' ')} did not exit within ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      forget();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      watcher?.close();
      forget();
      resolve({ code, signal, stdout, stderr, entered, ...(killedIn && signal === 'SIGKILL' ? { killedIn } : {}) });
    });
  });
}
