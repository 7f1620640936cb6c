/**
 * The `acmeflow` command as the reliability suite runs it, in one place:
 *
 * - in process (`main()`, the test's `fetch` trusting Pebble, waits scaled down), for reruns and
 *   fleets;
 * - as a real process (`node bin/acmeflow.mjs ...`), watched through its verbose progress lines
 *   (`<ISO time> <StateName>` on stderr, printed when a state is entered with -v) and killed with
 *   SIGKILL the moment a chosen state is entered — right after the step before it completed —
 *   optionally a little later or at a file change, to land inside the step; or killed by itself
 *   between two renames of the live/ swap (`kill-at-live-rename.mjs`).
 *
 * A {@link CliRunner} keeps every output of every run, for the secret scan.
 */
import { spawn } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../cli/main.js';
import type { FetchFunction } from '../../../shared/acme/index.js';
import { onTestProcessExit } from '../../../harness/processes.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KILL_AT_LIVE_RENAME = join(dirname(fileURLToPath(import.meta.url)), 'kill-at-live-rename.mjs');
const STEP_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z (.+)$/;

/** What an in-process run printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The states entered, in order, as the progress lines named them. */
  readonly entered: string[];
  /** Set when the process was killed as asked: where. */
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
  /** The process kills itself right after its `count`-th rename onto one of `lineage`'s four live/ links. */
  readonly killAfterLiveRenames?: { readonly lineage: string; readonly count: number };
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
  const renames = options.killAfterLiveRenames;
  const env = renames
    ? {
        ...options.env,
        NODE_OPTIONS: `${options.env.NODE_OPTIONS ?? ''} --import=${KILL_AT_LIVE_RENAME}`.trim(),
        ACMEFLOW_KILL_AFTER_LIVE_RENAMES: String(renames.count),
        ACMEFLOW_KILL_LINEAGE: renames.lineage,
      }
    : options.env;
  // A child without a terminal is what certbot delays by up to 8 minutes before a renew; the suite runs without it.
  const childEnv = { ACMEFLOW_RANDOM_SLEEP_MAX_SECONDS: '0', ...env };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'acmeflow.mjs'), ...args], { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
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
      // Killed by itself (the preload): after the asked-for rename onto live/.
      if (!killedIn && renames && signal === 'SIGKILL') killedIn = `after ${renames.count} live/ rename${renames.count === 1 ? '' : 's'}`;
      resolve({ code, signal, stdout, stderr, entered, ...(killedIn && signal === 'SIGKILL' ? { killedIn } : {}) });
    });
  });
}

export interface CliRunnerOptions {
  /** HOME of every run (a temporary directory: no ~/.aws or ~/.config of the machine's user). */
  readonly home: string;
  /** The in-process runs' fetch (trusting the test CA). */
  readonly fetch?: FetchFunction;
  /** Extra environment of child processes (Pebble's CA trust: `pebble.env`). */
  readonly processEnv?: NodeJS.ProcessEnv;
  /** Wait scale of in-process runs. @default 0.02 */
  readonly waitScale?: number;
}

/**
 * Runs `acmeflow` in process or as a child, the same way every time, keeping all output.
 *
 * @example
 * const cli = new CliRunner({ home: work, fetch: pebble.fetch, processEnv: pebble.env });
 * const again = await cli.run(['renew', '--force-renewal', '--cert-name', 'a', '--config-dir', configDir]);
 * const killed = await cli.spawn([...args, '-v'], { killOn: { state: 'StoreCertificate' } });
 */
export class CliRunner {
  /** stdout and stderr of every run, for the secret scan. */
  readonly outputs: string[] = [];

  constructor(readonly options: CliRunnerOptions) {}

  /** In process (`main()`), with `LANG=C` and the runner's HOME as the whole environment. */
  async run(args: readonly string[], options: { fetch?: FetchFunction; waitScale?: number } = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const fetch = options.fetch ?? this.options.fetch;
    const code = await main([...args], {
      env: { LANG: 'C', HOME: this.options.home },
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      waitScale: options.waitScale ?? this.options.waitScale ?? 0.02,
      ...(fetch ? { fetch } : {}),
    });
    this.outputs.push(stdout, stderr);
    return { code, stdout, stderr };
  }

  /**
   * As a child process, with this process's environment plus the runner's (real waits). With
   * `isolated`, the child gets only PATH, the runner's environment and `env`: no AWS credentials,
   * profile or instance metadata of the machine running the tests can reach it.
   */
  async spawn(args: readonly string[], options: Omit<RunCliOptions, 'env'> & { isolated?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CliProcessResult> {
    const { isolated, env: extra, ...rest } = options;
    const base: NodeJS.ProcessEnv = isolated
      ? { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' }
      : process.env;
    const result = await runCliProcess(args, { ...rest, env: { ...base, ...this.options.processEnv, ...extra, LANG: 'C', HOME: this.options.home } });
    this.outputs.push(result.stdout, result.stderr);
    return result;
  }
}
