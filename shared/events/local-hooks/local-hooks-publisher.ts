import { spawn as nodeSpawn } from 'node:child_process';
import type { LineageHooks } from '../../config/lineage-spec.js';
import type { AcmeflowEvent, EventDetail, EventPublisher } from '../events.js';
// The file, not the folder's index: the index also loads the AWS SDK, which local hooks never need.
import { checkEvent } from '../eventbridge/check-event.js';
import { HookFailedError, type HookFailure, type HookName } from './hook-failed-error.js';
import { runHook, type HookLogger, type SpawnFunction } from './run-hook.js';

/**
 * The hook commands of the run, as certbot's `--pre-hook`, `--deploy-hook` and `--post-hook` take
 * them. Each one given here wins over every lineage's own (as certbot's command-line hooks win over
 * the renewal conf's).
 */
export interface LocalHooksPublisherOptions {
  /** Run once per run, before the first attempt, when the engine calls {@link LocalHooksPublisher.runPreHook}. */
  readonly preHook?: string;
  /** Run once for each `Certificate Deployable` event, i.e. once per issued or renewed lineage. */
  readonly deployHook?: string;
  /** Run once for each `Renewal Sweep Completed` event whose `attempted` is above 0. */
  readonly postHook?: string;
  /** certbot `--dry-run`: deploy hooks are skipped (and logged as skipped); pre and post hooks still run. @default false */
  readonly dryRun?: boolean;
}

/** What the publisher is built with; everything has a working default. */
export interface LocalHooksPublisherDeps {
  /** Receives "Running ... command", each hook's output and failures. @default the console */
  readonly logger?: HookLogger;
  /** Starts the shell. @default `spawn` of `node:child_process` */
  readonly spawn?: SpawnFunction;
  /** The environment hooks inherit, before the hook variables are added. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The shell that reads hook commands (`<shell> -c <command>`), as certbot's `shell=True` does. @default '/bin/sh' */
  readonly shell?: string;
  /**
   * A lineage's own hooks (those its renewal conf keeps), for the hooks the run does not set; a
   * lineage that cannot be read has none. @default no lineage has hooks
   */
  readonly lineageHooks?: (lineage: string) => Promise<LineageHooks | undefined>;
}

const consoleLogger: HookLogger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/** certbot hands `RENEWED_LINEAGE` over as `/etc/letsencrypt/live/<name>`, without a trailing slash; scripts append `/fullchain.pem`. */
const lineageDir = (location: string): string => location.replace(/(?<=.)\/+$/, '');

/**
 * The local engine's {@link EventPublisher}: turns acmeflow's events into certbot's hooks, with
 * certbot's semantics, so that a `renew` cron line moved from certbot to acmeflow keeps its hooks.
 *
 * - `deployHook` runs once for each `Certificate Deployable` event (once per lineage issued or
 *   renewed; the engine emits the event after the lineage's deploy delay, see `DeployDelayQueue`, and
 *   this publisher never waits). Its environment is the parent's plus `RENEWED_LINEAGE` (the event's
 *   `location`: the lineage's live directory) and `RENEWED_DOMAINS` (its names, space-separated).
 *   A lineage version whose hook succeeded is not deployed again if its event is published again
 *   (the port allows duplicates); one whose hook failed is, so publishing again retries it.
 * - `postHook` runs once for each `Renewal Sweep Completed` event with `attempted` > 0, after the
 *   events before it in the same call, with `RENEWED_DOMAINS` and `FAILED_DOMAINS` (the names of the
 *   `Certificate Issued` and `Certificate Issuance Failed` events seen since the last sweep), as
 *   current certbot passes them to post-hooks.
 * - `preHook` runs from {@link runPreHook}, before the lineage's attempt; each distinct command at
 *   most once per publisher instance (one per run), as certbot runs each pre-hook once per run.
 * - Each hook is the run's (the options) when set, else the lineage's own (`deps.lineageHooks`, the
 *   renewal conf's `pre_hook`, `renew_hook`, `post_hook`): a deploy-hook is the deployed lineage's; the
 *   post-hooks are the distinct ones of the lineages the sweep attempted, each run once.
 * - `dryRun` skips deploy hooks, as `certbot --dry-run` does.
 * - Hooks run one at a time through `/bin/sh -c`, never concurrently, even across calls.
 * - No other variable is added: no key, token or credential ever reaches a hook's environment.
 *   (The parent environment is passed through, as certbot does.)
 *
 * Failures: every event is checked first (`InvalidEventError`, `EventContainsSecretError`, nothing
 * run). A hook that fails does not stop the others: certbot reports a failed hook but does not undo
 * the renewal, and a post-hook that restarts a server must run even when a deploy-hook failed. Once
 * every event of the call has been handled, `publish` rejects with one {@link HookFailedError}
 * listing every failed hook, so the failure reaches the run's exit status instead of only a log line.
 * Events other than the three above are accepted and ignored.
 *
 * @example
 * ```ts
 * const hooks = new LocalHooksPublisher({ deployHook: 'systemctl reload httpd', postHook: 'logger renewed' }, { logger });
 * await hooks.runPreHook();  // before the first attempt of the run
 * await hooks.publish([{ detailType: 'Certificate Deployable', detail }]); // RENEWED_LINEAGE=/etc/acmeflow/live/example.com
 * ```
 */
export class LocalHooksPublisher implements EventPublisher {
  readonly #options: LocalHooksPublisherOptions;
  readonly #logger: HookLogger;
  readonly #spawn: SpawnFunction;
  readonly #env: NodeJS.ProcessEnv | undefined;
  readonly #shell: string;
  /** Hook runs in order, one at a time: each call chains onto this. */
  #tail: Promise<unknown> = Promise.resolve();
  /** Pre-hook runs by command: each distinct command once. */
  readonly #preHooks = new Map<string, Promise<void>>();
  readonly #lineageHooks: (lineage: string) => Promise<LineageHooks | undefined>;
  /** `lineage@version` whose deploy-hook succeeded. */
  readonly #deployed = new Set<string>();
  readonly #renewedDomains: string[] = [];
  readonly #failedDomains: string[] = [];

  constructor(options: LocalHooksPublisherOptions, deps: LocalHooksPublisherDeps = {}) {
    this.#options = options;
    this.#logger = deps.logger ?? consoleLogger;
    this.#spawn = deps.spawn ?? nodeSpawn;
    this.#env = deps.env;
    this.#shell = deps.shell ?? '/bin/sh';
    const lookup = deps.lineageHooks;
    this.#lineageHooks = lookup ? (lineage) => lookup(lineage).catch(() => undefined) : async () => undefined;
  }

  /** The deploy-hook command a `Certificate Deployable` of `lineage` runs: the run's, else the lineage's own; undefined for none (or a dry run). */
  async deployHookFor(lineage: string): Promise<string | undefined> {
    if (this.#options.dryRun) return undefined;
    return this.#options.deployHook ?? (await this.#lineageHooks(lineage))?.deployHook;
  }

  async publish(events: readonly AcmeflowEvent[]): Promise<void> {
    const checked = events.map((event, index) => checkEvent(event, index));
    const failures = await this.#serial(async () => {
      const found: HookFailure[] = [];
      for (const event of checked) found.push(...(await this.#handle(event)));
      return found;
    });
    const [first, ...rest] = failures;
    if (first) throw new HookFailedError([first, ...rest]);
  }

  /**
   * Runs the pre-hook before `lineage` is attempted: the run's, else the lineage's own; each distinct
   * command only the first time it is asked for on this instance (later calls wait for the first run
   * to end, and do not repeat its failure). certbot runs the pre-hook only when something is about to
   * be attempted, so the engine calls this right before an attempt, not at start-up. Rejects with
   * {@link HookFailedError} when the hook fails; certbot then carries on with the renewals, and the
   * engine should record the error and do the same.
   */
  async runPreHook(lineage?: string): Promise<void> {
    const command = this.#options.preHook ?? (lineage === undefined ? undefined : (await this.#lineageHooks(lineage))?.preHook);
    if (command === undefined) return;
    const earlier = this.#preHooks.get(command);
    if (earlier !== undefined) return earlier.catch(() => undefined);
    const run = this.#serial(() => this.#run('pre-hook', command, {})).then((failure) => {
      if (failure) throw new HookFailedError([failure]);
    });
    this.#preHooks.set(command, run);
    return run;
  }

  async #handle(event: AcmeflowEvent): Promise<HookFailure[]> {
    switch (event.detailType) {
      case 'Certificate Issued':
        this.#renewedDomains.push(...event.detail.domains);
        return [];
      case 'Certificate Issuance Failed':
        this.#failedDomains.push(...event.detail.domains);
        return [];
      case 'Certificate Deployable': {
        const failure = await this.#deploy(event.detail);
        return failure ? [failure] : [];
      }
      case 'Renewal Sweep Completed':
        return this.#post(event.detail);
      default:
        return [];
    }
  }

  async #deploy(detail: EventDetail<'Certificate Deployable'>): Promise<HookFailure | undefined> {
    const command = this.#options.deployHook ?? (await this.#lineageHooks(detail.lineage))?.deployHook;
    if (command === undefined) return undefined;
    if (this.#options.dryRun) {
      this.#logger.info(`Dry run: skipping deploy hook command: ${command}`, { hook: 'deploy-hook', command, lineage: detail.lineage });
      return undefined;
    }
    const key = `${detail.lineage}@${detail.version}`;
    if (this.#deployed.has(key)) {
      this.#logger.info(`Skipping deploy-hook for ${detail.lineage} version ${detail.version}: it already ran`, { hook: 'deploy-hook', command, lineage: detail.lineage });
      return undefined;
    }
    const failure = await this.#run(
      'deploy-hook',
      command,
      { RENEWED_LINEAGE: lineageDir(detail.location), RENEWED_DOMAINS: detail.domains.join(' ') },
      detail.lineage,
    );
    if (!failure) this.#deployed.add(key);
    return failure;
  }

  async #post(detail: EventDetail<'Renewal Sweep Completed'>): Promise<HookFailure[]> {
    const renewed = this.#renewedDomains.splice(0).join(' ');
    const failed = this.#failedDomains.splice(0).join(' ');
    // certbot: "only run if an attempt was made to obtain/renew a certificate".
    if (detail.attempted === 0) return [];
    const commands = new Set<string>();
    if (this.#options.postHook !== undefined) commands.add(this.#options.postHook);
    else {
      for (const lineage of [...detail.renewed, ...detail.failed]) {
        const command = (await this.#lineageHooks(lineage))?.postHook;
        if (command !== undefined) commands.add(command);
      }
    }
    const failures: HookFailure[] = [];
    for (const command of commands) {
      const failure = await this.#run('post-hook', command, { RENEWED_DOMAINS: renewed, FAILED_DOMAINS: failed });
      if (failure) failures.push(failure);
    }
    return failures;
  }

  #run(hook: HookName, command: string, variables: Record<string, string>, lineage?: string): Promise<HookFailure | undefined> {
    return runHook(command, {
      hook,
      env: { ...(this.#env ?? process.env), ...variables },
      spawn: this.#spawn,
      shell: this.#shell,
      logger: this.#logger,
      ...(lineage === undefined ? {} : { lineage }),
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work, work);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
