import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AcmeContext, HttpTransport, RevocationReason } from '../shared/acme/index.js';
import type { AcmeflowEvent, EventPublisher } from '../shared/events/events.js';
import { deployableEvent, HookFailedError, LocalHooksPublisher, PendingDeploys, type HookFailure } from '../shared/events/local-hooks/index.js';
import { MemoryEventPublisher } from '../shared/events/memory/index.js';
import { markAnnounced, type IssuanceInput, type Logger, type SweepSummary, type WorkflowDeps } from '../shared/workflow/index.js';
import { MemorySweepStore } from '../shared/store/index.js';
import { loadDefinitions } from './definitions.js';
import { RevocationFailedError, SweepFailedError, SweepPlanMissingError } from './errors.js';
import type { ExecutionLogEntry } from './execution.js';
import { localWorkflowDeps, type LocalEab } from './local-deps.js';
import { LocalStateMachines, prepareDefinitions, type PreparedDefinitions } from './local-state-machines.js';
import { KeysAhead } from './keys-ahead.js';
import { executionFailure, issuanceOutcome, type IssuanceOutcome, type RevokeOutcome, type SweepOutcome } from './outcomes.js';
import { stepHandlersFor } from './step-handlers.js';

/** Progress of one state of an execution, for the CLI. */
export interface StepProgress {
  /** The state's name (`PrepareOrder`, `Wait for propagation`, ...). */
  readonly state: string;
  /** `fail` for every failed attempt; a retried or caught failure is followed by another `fail` or by `exit`. */
  readonly phase: 'enter' | 'exit' | 'fail';
  /** ISO time of the event. */
  readonly at: string;
  /** `$$.Execution.Name` of the execution the state belongs to. */
  readonly execution: string;
  /** The lineage of an issuance execution. */
  readonly lineage?: string;
}

export interface LocalEngineOptions {
  /** certbot-style config dir (`live/`, `archive/`, `renewal/`, `accounts/` ...). */
  readonly configDir: string;
  /** fetch for the ACME CA. @default the ACME layer's node:http/https transport (shared/http) */
  readonly fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** How the ACME layer sends requests (a transport trusting a test CA); wins over `fetch`. @default the node:http/https transport */
  readonly transport?: HttpTransport;
  /**
   * Per-request timeout of every ACME request, in ms: a CA answering slower fails the request with
   * `AcmeTimeoutError` (retried by the state machine). @default 30000
   */
  readonly acmeTimeoutMs?: number;
  /** certbot's `--pre-hook`, `--deploy-hook`, `--post-hook`. */
  readonly hooks?: { readonly preHook?: string; readonly deployHook?: string; readonly postHook?: string };
  /** `--dns-resolver`: nameservers the propagation check asks (`host:port`), overriding each lineage's. */
  readonly resolvers?: readonly string[];
  /** `renew --dns-propagation-timeout`: how long the propagation check waits (seconds), overriding each lineage's. */
  readonly propagationTimeoutSeconds?: number;
  /** EAB given on the command line for this run; wins over the lineages' `eabRef` files. */
  readonly eab?: LocalEab;
  /** The workflow logger. @default lines on the console */
  readonly log?: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Multiplies every Wait state (and Retry pause): tests use 0.01. @default 1 — real waits, the
   * CA's Retry-After and the lineage's deploy delay exactly as Step Functions waits them.
   */
  readonly waitScale?: number;
  /** Progress of every state of every execution (enter, exit, fail). */
  readonly onStep?: (e: StepProgress) => void;
  /**
   * A deploy-hook waits for its lineage's deploy delay: called once per certificate when the wait
   * starts (after `issue`'s `onStored`), with when it ends. Without a deploy-hook there is no wait:
   * `Certificate Deployable` is published at once (nothing here acts on it later).
   */
  readonly onDeployWait?: (wait: DeployWait) => void;
}

/** A deploy-hook waiting for the deploy delay of the certificate it deploys. */
export interface DeployWait {
  readonly lineage: string;
  readonly version: number;
  /** ISO time the delay ends and the hook runs. */
  readonly dueAt: string;
  /** The lineage's deploy delay, in seconds. */
  readonly deployDelaySeconds: number;
  readonly deployHook: string;
}

const consoleLogger: Logger = {
  info: (message, fields) => console.log(fields ? `${message} ${JSON.stringify(fields)}` : message),
  warn: (message, fields) => console.warn(fields ? `${message} ${JSON.stringify(fields)}` : message),
  error: (message, fields) => console.error(fields ? `${message} ${JSON.stringify(fields)}` : message),
};

const PHASES: Readonly<Record<string, StepProgress['phase']>> = { StateEntered: 'enter', StateExited: 'exit', StateFailed: 'fail' };

/** What one call of `issue`, `sweep` or `revoke` sets up. */
interface Run {
  readonly machines: LocalStateMachines;
  readonly hooks: LocalHooksPublisher;
  readonly hookFailures: HookFailure[];
  /** Runs the pre-hook before `lineage` is attempted (each command once per run); a failure is recorded, and the run goes on. */
  readonly preHook: (lineage: string) => Promise<void>;
  /** The certificate store the run's steps use. */
  readonly store: WorkflowDeps['store'];
  /**
   * Starts the follow-up executions held so far (the deploy delays), and those asked for later at
   * once; `issue` holds them until the certificate's outcome was handed to `onStored`.
   */
  readonly startFollowUps: () => void;
  /** Waits for every follow-up, then hands the held `Renewal Sweep Completed` events to the hooks (post-hooks run after deploy-hooks, as certbot runs them). */
  readonly settle: () => Promise<void>;
}

/**
 * The local engine: the **same state machine definitions** Step Functions runs in AWS, run on this
 * machine by aws-local-stepfunctions, each Task state bound in process to `makeHandler(localDeps)`
 * of its Lambda handler module, over certbot's layout in `configDir`.
 *
 * - Every Task state is bound by name (the `shared/workflow/machines` task maps); one left unbound is
 *   an `UnboundTaskError` before anything runs — a Task is never sent to AWS.
 * - The sweep's Distributed Map `RenewDue` is replaced by a Task of the same name bound to a local
 *   stand-in: it reads the plan PlanRenewals wrote (a {@link MemorySweepStore}), runs the issuance
 *   definition per lineage (at most the Map's `MaxConcurrency` at once, failures tolerated) and
 *   returns `{ items: [{ lineage, failed }] }` to CompleteSweep (see local-definitions.ts).
 * - Wait states wait for real, the deploy delay included; `waitScale` shortens them (tests).
 * - Events go to a memory log ({@link events}) and to certbot's hooks: `--pre-hook` once before the
 *   first issuance of a run, `--deploy-hook` per `Certificate Deployable` (after the deploy delay,
 *   with `RENEWED_LINEAGE` and `RENEWED_DOMAINS`; skipped on dry runs), `--post-hook` when a sweep
 *   attempted something — and after `issue()`, as `certbot certonly` runs it. Each hook is the run's
 *   (`hooks`) when set, else the lineage's own (its renewal conf's). A failed hook is reported in the
 *   outcome's `hookFailures` and does not undo anything.
 * - A deploy-hook owed inside the deploy delay is recorded on disk ({@link PendingDeploys}) until it
 *   ran: at the end of `issue`, `sweep` and `revoke`, the hooks owed by runs that died meanwhile run
 *   (each once, after what is left of its delay), their failures in `hookFailures` too.
 * - Each execution has a unique name (`local-<pid>-<epoch ms>-<n>-<random>`; a sweep's child
 *   issuances `<sweep name>-<i>`), its `$$.Execution.Name`, which owns the lineage lock.
 *
 * @example
 * ```ts
 * const engine = new LocalEngine({ configDir: '/etc/acmeflow', hooks: { deployHook: 'systemctl reload nginx' } });
 * const outcome = await engine.issue({ lineage: 'example.com' });
 * if (outcome.status === 'succeeded') console.log(outcome.paths?.fullchain);
 * ```
 */
export class LocalEngine {
  readonly #options: LocalEngineOptions;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #waitScale: number;
  readonly #memory = new MemoryEventPublisher();
  readonly #executionLog: ExecutionLogEntry[] = [];
  readonly #contexts = new Map<string, AcmeContext>();
  readonly #lineageOf = new Map<string, string>();
  readonly #pending: PendingDeploys;
  #definitions: Promise<PreparedDefinitions> | undefined;
  #sequence = 0;

  constructor(options: LocalEngineOptions) {
    const waitScale = options.waitScale ?? 1;
    if (!Number.isFinite(waitScale) || waitScale < 0) throw new RangeError(`waitScale must be a finite number of 0 or more, not ${options.waitScale}.`);
    this.#options = options;
    this.#log = options.log ?? consoleLogger;
    this.#now = options.now ?? (() => new Date());
    this.#waitScale = waitScale;
    this.#pending = new PendingDeploys({ configDir: options.configDir });
  }

  /** Every event published by this engine, oldest first (the memory log; hooks ran on them too). */
  get events(): readonly AcmeflowEvent[] {
    return this.#memory.events;
  }

  /**
   * Every aws-local-stepfunctions event of every execution, with its execution's name: state
   * inputs and outputs — the Step Functions execution state, public data only.
   */
  get executionLog(): readonly unknown[] {
    return [...this.#executionLog];
  }

  /**
   * Issues or renews one lineage: one issuance execution. certbot `certonly` semantics for hooks:
   * pre-hook before, deploy-hook for the new certificate, post-hook after. The issuance definition
   * does not ask whether the lineage is due (the sweep's PlanRenewals does): this always orders a
   * certificate; to renew only when due, `sweep({ lineages: [name] })`.
   */
  async issue(input: { lineage: string; force?: boolean; dryRun?: boolean }, progress: { readonly onStored?: (outcome: IssuanceOutcome) => void } = {}): Promise<IssuanceOutcome> {
    const dryRun = input.dryRun ?? false;
    const run = await this.#startRun(dryRun, { holdFollowUps: true });
    run.machines.checkBound('issuance');
    const executionName = this.#executionName();
    this.#lineageOf.set(executionName, input.lineage);
    await run.preHook(input.lineage);
    const issued = await run.machines.runIssuance({ lineage: input.lineage, force: input.force ?? false, dryRun }, executionName);
    const outcome = issuanceOutcome(issued, { configDir: this.#options.configDir, dryRun });
    // The certificate is stored: said now, before any deploy delay.
    if (outcome.status === 'succeeded') progress.onStored?.(outcome);
    run.startFollowUps();
    await run.settle();
    if (outcome.status !== 'skipped') {
      // certbot certonly runs the post-hook after any attempt (its `finally`); there is no sweep event to carry it.
      await this.#toHooks(run.hooks, run.hookFailures, [
        {
          detailType: 'Renewal Sweep Completed',
          detail: {
            attempted: 1,
            renewed: outcome.status === 'succeeded' ? [input.lineage] : [],
            failed: outcome.status === 'failed' ? [input.lineage] : [],
            skipped: 0,
            dryRun,
          },
        },
      ]);
    }
    await this.#deliverPending(run);
    return { ...outcome, ...(run.hookFailures.length > 0 ? { hookFailures: [...run.hookFailures] } : {}) };
  }

  /**
   * The renewal sweep (certbot `renew`): one sweep execution — PlanRenewals, the local stand-in of
   * the Distributed Map, CompleteSweep. Rejects with `SweepFailedError` when the sweep itself
   * fails; a lineage that fails is in `failed` and `results`.
   */
  async sweep(input: { lineages?: string[]; force?: boolean; dryRun?: boolean } = {}): Promise<SweepOutcome> {
    const dryRun = input.dryRun ?? false;
    const run = await this.#startRun(dryRun);
    run.machines.checkBound('sweep');
    const executionName = this.#executionName();
    const swept = await run.machines.runSweep(
      { force: input.force ?? false, dryRun, ...(input.lineages && input.lineages.length > 0 ? { lineages: [...input.lineages] } : {}) },
      executionName,
    );
    await run.settle();
    await this.#deliverPending(run);
    if (swept.result.status === 'failed') throw new SweepFailedError(executionName, executionFailure(swept.result));
    const summary = swept.result.output as SweepSummary;
    return {
      attempted: summary.attempted,
      renewed: [...summary.renewed],
      failed: [...summary.failed],
      skipped: summary.skipped,
      unreadable: [...(summary.unreadable ?? [])],
      results: swept.issuances.map((issued) => issuanceOutcome(issued, { configDir: this.#options.configDir, dryRun })),
      dryRun,
      executionName,
      ...(run.hookFailures.length > 0 ? { hookFailures: [...run.hookFailures] } : {}),
    };
  }

  /** Revokes a lineage's certificate (or the given one): one revocation execution. Rejects with `RevocationFailedError`. */
  async revoke(input: { lineage: string; reason?: RevocationReason; certificatePem?: string }): Promise<RevokeOutcome> {
    const run = await this.#startRun(false);
    run.machines.checkBound('revocation');
    const executionName = this.#executionName();
    const result = await run.machines.runRevocation(
      { lineage: input.lineage, ...(input.reason ? { reason: input.reason } : {}), ...(input.certificatePem ? { certificatePem: input.certificatePem } : {}) },
      executionName,
    );
    await this.#deliverPending(run);
    if (result.status === 'failed') throw new RevocationFailedError(executionName, executionFailure(result));
    const output = result.output as RevokeOutcome;
    return { lineage: output.lineage, serialHex: output.serialHex, reason: output.reason, ...(run.hookFailures.length > 0 ? { hookFailures: [...run.hookFailures] } : {}) };
  }

  #executionName(): string {
    this.#sequence += 1;
    return `local-${process.pid}-${this.#now().getTime()}-${this.#sequence}-${randomBytes(3).toString('hex')}`;
  }

  #definitionsOnce(): Promise<PreparedDefinitions> {
    this.#definitions ??= loadDefinitions().then(prepareDefinitions);
    this.#definitions.catch(() => (this.#definitions = undefined));
    return this.#definitions;
  }

  /** Hands events to the hooks; a failed hook is recorded and logged, never thrown into a step. */
  async #toHooks(hooks: LocalHooksPublisher, hookFailures: HookFailure[], events: readonly AcmeflowEvent[]): Promise<void> {
    try {
      await hooks.publish(events);
    } catch (err) {
      if (!(err instanceof HookFailedError)) throw err;
      hookFailures.push(...err.failures);
      this.#log.error(err.message, { hooks: err.failures.map((f) => f.hook) });
    }
  }

  /**
   * Runs the deploy-hooks owed by runs that died inside a deploy delay (and any this run still owes),
   * each after what is left of its delay (scaled like every Wait) and once: a lineage renewed again
   * since has its newer version deployed instead, and its older owed hook is dropped.
   */
  async #deliverPending(run: Run): Promise<void> {
    const { claimed, unreadable } = await this.#pending.claimOrphans();
    for (const path of unreadable) this.#log.warn(`Ignoring ${path}: it is not a pending deploy record acmeflow can read.`);
    for (const record of claimed) {
      const { lineage, version } = record.issued;
      const stored = await run.store.getLineage(lineage).catch(() => undefined);
      const outbox = stored?.lineage.state.announced;
      if (!stored || stored.lineage.state.currentVersion > version) {
        this.#log.info(`Dropping the deploy-hook owed to ${lineage} version ${version}: ${stored ? `version ${stored.lineage.state.currentVersion} replaced it` : 'the lineage is gone'}.`, { lineage, version });
        await this.#pending.remove(record.issued);
        continue;
      }
      if (outbox?.version === version && outbox.deployable) {
        // A sweep's announce-only run published its Certificate Deployable (and ran the hook) already.
        this.#log.info(`Dropping the deploy-hook owed to ${lineage} version ${version}: its Certificate Deployable was published since.`, { lineage, version });
        await this.#pending.remove(record.issued);
        continue;
      }
      const left = Date.parse(record.dueAt) - this.#now().getTime();
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left * this.#waitScale));
      this.#log.info(`Running the deploy-hook owed to ${lineage} version ${version} by a run that ended inside its deploy delay.`, { lineage, version });
      const owed = new LocalHooksPublisher({ deployHook: record.deployHook }, { logger: this.#log });
      await this.#toHooks(owed, run.hookFailures, [deployableEvent(record.issued)]);
      // The outbox then owes nothing: a later sweep does not run the hook again.
      await markAnnounced({ store: run.store, log: this.#log }, lineage, version, 'deployable');
      await this.#pending.remove(record.issued);
    }
  }

  async #startRun(dryRun: boolean, options: { readonly holdFollowUps?: boolean } = {}): Promise<Run> {
    const definitions = await this.#definitionsOnce();
    const log = this.#log;
    const sweeps = new MemorySweepStore();
    const hookFailures: HookFailure[] = [];
    const heldForHooks: AcmeflowEvent[] = [];
    const followUps: Promise<void>[] = [];
    const heldFollowUps: (() => Promise<void>)[] = [];
    let holding = options.holdFollowUps ?? false;
    // Late-bound: the lineage store is built with the deps below, and the hooks need it only once events flow.
    let store: WorkflowDeps['store'] | undefined;
    const hooks = new LocalHooksPublisher(
      { ...this.#options.hooks, dryRun },
      { logger: log, lineageHooks: async (lineage) => (await store?.getLineage(lineage))?.lineage.spec.hooks },
    );
    const pending = this.#pending;
    const events: EventPublisher = {
      publish: async (published) => {
        // The memory log checks every event (no key material, valid schema) as EventBridge would.
        await this.#memory.publish(published);
        // Before the deploy delay's Wait state starts: a kill inside the delay leaves the owed hook on disk.
        for (const event of published) {
          if (event.detailType !== 'Certificate Issued') continue;
          const deployHook = await hooks.deployHookFor(event.detail.lineage);
          // The real end of the delay; a later run scales what is left of it like any Wait.
          const dueAt = new Date(this.#now().getTime() + event.detail.deployDelaySeconds * 1000).toISOString();
          if (deployHook !== undefined) await pending.add({ issued: event.detail, deployHook, dueAt });
        }
        // The post-hook waits for the deploy-hooks of the follow-ups (settle).
        heldForHooks.push(...published.filter((event) => event.detailType === 'Renewal Sweep Completed'));
        await this.#toHooks(
          hooks,
          hookFailures,
          published.filter((event) => event.detailType !== 'Renewal Sweep Completed'),
        );
        for (const event of published) if (event.detailType === 'Certificate Deployable' && !dryRun) await pending.remove(event.detail);
      },
    };
    const keysAhead = new KeysAhead();
    const localDeps = localWorkflowDeps({
      configDir: this.#options.configDir,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
      ...(this.#options.transport ? { transport: this.#options.transport } : {}),
      ...(this.#options.acmeTimeoutMs === undefined ? {} : { acmeTimeoutMs: this.#options.acmeTimeoutMs }),
      ...(this.#options.resolvers ? { resolvers: this.#options.resolvers } : {}),
      ...(this.#options.propagationTimeoutSeconds === undefined ? {} : { propagationTimeoutSeconds: this.#options.propagationTimeoutSeconds }),
      ...(this.#options.eab ? { eab: this.#options.eab } : {}),
      log,
      now: this.#now,
      events,
      sweeps,
      contexts: this.#contexts,
    });
    store = localDeps.store;
    const deps: WorkflowDeps = { ...localDeps, generateCertificateKey: (keyType, lineage) => keysAhead.take(lineage, keyType) };
    const steps = stepHandlersFor(deps);
    const prepareOrder = steps.PrepareOrder;
    if (prepareOrder) {
      // The issuance starts: its certificate key starts too (FinalizeOrder takes it), unless the lineage reuses its key.
      steps.PrepareOrder = async (input, context) => {
        const lineage = (input as { input?: { lineage?: unknown } }).input?.lineage;
        if (typeof lineage === 'string') {
          const stored = await localDeps.store.getLineage(lineage).catch(() => undefined);
          if (stored && !stored.lineage.spec.reuseKey) keysAhead.start(lineage, stored.lineage.spec.keyType);
        }
        return prepareOrder(input, context);
      };
    }
    // certbot runs the pre-hook only when something is about to be attempted: before the first issuance of the run.
    const preHook = async (lineage: string): Promise<void> => {
      await hooks.runPreHook(lineage).catch((err: unknown) => {
        if (!(err instanceof HookFailedError)) throw err;
        hookFailures.push(...err.failures);
        log.error(err.message, { hook: 'pre-hook' });
      });
    };
    // The issuance's follow-up (the deploy delay, then Certificate Deployable): without a deploy-hook
    // nothing waits for the event here, so it is published at once (the follow-up's Wait scaled to 0).
    const followUp = async (input: IssuanceInput, name: string): Promise<void> => {
      this.#lineageOf.set(name, input.lineage);
      const stored = await localDeps.store.getLineage(input.lineage).catch(() => undefined);
      const deployHook = await hooks.deployHookFor(input.lineage);
      const outbox = stored?.lineage.state.announced;
      if (deployHook !== undefined && stored && outbox && !outbox.deployable) {
        this.#options.onDeployWait?.({
          lineage: input.lineage,
          version: outbox.version,
          dueAt: outbox.deployableAt,
          deployDelaySeconds: stored.lineage.spec.deployDelaySeconds,
          deployHook,
        });
      }
      const ran = await machines.runIssuance(input, name, deployHook === undefined ? { waitScale: 0 } : {});
      if (ran.result.status === 'failed')
        log.error(`The deploy delay's follow-up of ${input.lineage} failed: ${ran.result.error}. The next renew publishes what is owed.`, { lineage: input.lineage });
    };
    const startFollowUp = async (input: IssuanceInput, name: string): Promise<void> => {
      const start = () => followUp(input, name);
      if (holding) heldFollowUps.push(start);
      else followUps.push(start());
    };
    const machines: LocalStateMachines = new LocalStateMachines({
      definitions,
      steps,
      startFollowUp,
      readPlan: async (_state, context) => {
        const plan = sweeps.plan(context.executionName);
        if (!plan) throw new SweepPlanMissingError(context.executionName);
        return plan;
      },
      waitScale: this.#waitScale,
      onEvent: (entry) => this.#record(entry),
      beforeRenewals: async (items) => {
        for (const item of items) if (!item.cleanupOnly && !item.announceOnly) await preHook(item.lineage);
      },
      onIssuanceStart: (item, executionName) => this.#lineageOf.set(executionName, item.lineage),
    });
    const startFollowUps = () => {
      holding = false;
      for (const start of heldFollowUps.splice(0)) followUps.push(start());
    };
    const settle = async () => {
      startFollowUps();
      for (let done = 0; done < followUps.length; done++) await followUps[done];
      await this.#toHooks(hooks, hookFailures, heldForHooks.splice(0));
    };
    return { machines, hooks, hookFailures, preHook, store: localDeps.store, startFollowUps, settle };
  }

  #record(entry: ExecutionLogEntry): void {
    this.#executionLog.push(entry);
    const phase = PHASES[entry.type];
    if (!phase || !entry.state || !this.#options.onStep) return;
    const lineage = this.#lineageOf.get(entry.execution);
    try {
      this.#options.onStep({
        state: entry.state.name,
        phase,
        at: new Date(entry.timestamp).toISOString(),
        execution: entry.execution,
        ...(lineage ? { lineage } : {}),
      });
    } catch (err) {
      // Progress output must not break a run.
      this.#log.warn('The progress callback failed.', { error: (err as Error).message });
    }
  }
}

