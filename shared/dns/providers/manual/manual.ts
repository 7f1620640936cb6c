import { execFile } from 'node:child_process';
import type { ChangeRef, DnsProvider, TxtRecord } from '../../provider.js';
import type { ManualConfig } from './config.js';
import { ManualHookError } from './errors.js';

/** Runs a hook through the shell; resolves its exit code and output. Inject one to observe the hooks. */
export type ManualHookRunner = (command: string, env: NodeJS.ProcessEnv) => Promise<{ exitCode: number | null; stdout: string; stderr: string }>;

export interface ManualDnsProviderDeps {
  /** The environment the hooks inherit, before certbot's variables are added. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default `/bin/sh -c <command>` */
  readonly run?: ManualHookRunner;
}

/** Output kept from a hook (certbot hands the auth hook's stdout to the cleanup hook). */
const KEEP_CHARS = 64 * 1024;

const shellRunner: ManualHookRunner = (command, env) =>
  new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { env, maxBuffer: 4 * KEEP_CHARS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null;
      resolve({ exitCode: code, stdout: String(stdout).slice(-KEEP_CHARS), stderr: String(stderr) });
    });
  });

/**
 * The auth hook's output per `command name value`, for the cleanup hook's `CERTBOT_AUTH_OUTPUT`.
 * Kept for the process, not the instance: the publish and cleanup steps each build their provider,
 * and this provider runs only in the command's own process (the hooks are this machine's commands).
 */
const authOutputs = new Map<string, string>();

interface Queued {
  readonly record: TxtRecord;
  resolve(): void;
  reject(error: unknown): void;
}

/** The domain a dns-01 record is for, as certbot's `CERTBOT_DOMAIN` gives it (RFC 8555 §8.4: `_acme-challenge.<domain>`). */
function domainOf(name: string): string {
  return name.replace(/^_acme-challenge\./i, '');
}

/**
 * certbot's manual plugin with `--preferred-challenges dns`: the operator's own commands publish and
 * remove each TXT value (`--manual-auth-hook`, `--manual-cleanup-hook`), run once per challenge,
 * one after the other, with certbot's environment: `CERTBOT_DOMAIN`, `CERTBOT_VALIDATION`,
 * `CERTBOT_REMAINING_CHALLENGES`, `CERTBOT_ALL_DOMAINS`, and for the cleanup hook
 * `CERTBOT_AUTH_OUTPUT` (what the auth hook printed). Waiting is not the hook's job here: acmeflow's
 * propagation check follows, as for every provider.
 *
 * The records of one step arrive together (the step publishes them all at once); they are run as
 * one batch, so that each hook sees the remaining count and every domain, as certbot's do.
 *
 * @example
 * ```ts
 * const dns = new ManualDnsProvider({ authHook: '/usr/local/bin/dns-add', cleanupHook: '/usr/local/bin/dns-del' });
 * await dns.upsertTxt({ name: '_acme-challenge.example.com', values: [value] });
 * ```
 */
export class ManualDnsProvider implements DnsProvider {
  readonly code = 'manual';
  readonly #config: ManualConfig;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #run: ManualHookRunner;
  readonly #batches: Record<'auth' | 'cleanup', Queued[] | undefined> = { auth: undefined, cleanup: undefined };

  constructor(config: ManualConfig, deps: ManualDnsProviderDeps = {}) {
    this.#config = config;
    this.#env = deps.env ?? process.env;
    this.#run = deps.run ?? shellRunner;
  }

  async upsertTxt(record: TxtRecord): Promise<ChangeRef> {
    await this.#enqueue('auth', record);
    return { provider: this.code };
  }

  async deleteTxt(record: TxtRecord): Promise<void> {
    if (this.#config.cleanupHook === undefined) return;
    await this.#enqueue('cleanup', record);
  }

  #enqueue(hook: 'auth' | 'cleanup', record: TxtRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      let batch = this.#batches[hook];
      if (batch === undefined) {
        batch = [];
        this.#batches[hook] = batch;
        // Every record the step hands over in this turn joins the batch before the first hook runs.
        setImmediate(() => {
          this.#batches[hook] = undefined;
          void this.#runBatch(hook, batch as Queued[]);
        });
      }
      batch.push({ record, resolve, reject });
    });
  }

  async #runBatch(hook: 'auth' | 'cleanup', batch: readonly Queued[]): Promise<void> {
    const command = hook === 'auth' ? this.#config.authHook : (this.#config.cleanupHook as string);
    const challenges = batch.flatMap((queued) => queued.record.values.map((value) => ({ queued, value })));
    const allDomains = [...new Set(batch.map((q) => domainOf(q.record.name)))].join(',');
    const failed = new Map<Queued, unknown>();
    for (const [index, { queued, value }] of challenges.entries()) {
      if (failed.has(queued)) continue;
      const key = `${this.#config.authHook}\n${queued.record.name}\n${value}`;
      const env: NodeJS.ProcessEnv = {
        ...this.#env,
        CERTBOT_DOMAIN: domainOf(queued.record.name),
        CERTBOT_VALIDATION: value,
        CERTBOT_REMAINING_CHALLENGES: String(challenges.length - index - 1),
        CERTBOT_ALL_DOMAINS: allDomains,
        ...(hook === 'cleanup' ? { CERTBOT_AUTH_OUTPUT: authOutputs.get(key) ?? '' } : {}),
      };
      try {
        const result = await this.#run(command, env);
        if (result.exitCode !== 0) {
          failed.set(queued, new ManualHookError(hook, queued.record.name, result.exitCode, result.stderr.trim().split('\n').slice(-5).join('\n')));
          // certbot stops at the first failed auth hook; the cleanup hooks all run.
          if (hook === 'auth') for (const rest of challenges.slice(index + 1)) if (!failed.has(rest.queued)) failed.set(rest.queued, failed.get(queued));
        } else if (hook === 'auth') authOutputs.set(key, result.stdout.trim());
        else authOutputs.delete(key);
      } catch (error) {
        failed.set(queued, new ManualHookError(hook, queued.record.name, null, '', { cause: error }));
      }
    }
    for (const queued of batch) {
      const error = failed.get(queued);
      if (error === undefined) queued.resolve();
      else queued.reject(error);
    }
  }
}
