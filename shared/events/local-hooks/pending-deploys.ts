import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventDetail } from '../events.js';
// The files, not the folder's index: the index also loads the certificate store, which this never needs.
import { CertbotLayout } from '../../store/filesystem/certbot-layout.js';
import { ensureDirectory, errorCode, readTextIfExists, removeIfExists, writeFileAtomic } from '../../store/filesystem/atomic-files.js';
import { isProcessAlive } from '../../store/filesystem/guard-file.js';
import { checkEvent } from '../eventbridge/check-event.js';

/** A deploy-hook owed to a stored certificate: run it once `dueAt` has passed. */
export interface PendingDeploy {
  /** The `Certificate Issued` event of the certificate (public data; its `Certificate Deployable` follows from it). */
  readonly issued: EventDetail<'Certificate Issued'>;
  /** The command the run that issued it would have run (the run's `--deploy-hook`, else the lineage's). */
  readonly deployHook: string;
  /** ISO time the deploy delay ends. */
  readonly dueAt: string;
}

/** What the store is built with. */
export interface PendingDeploysOptions {
  /** certbot's config directory; the records live in `deploys/pending/` under it. */
  readonly configDir: string;
  /** @default process.pid */
  readonly pid?: number;
  /** Whether a process of this host still runs. @default signal 0 to the pid */
  readonly processAlive?: (pid: number) => boolean;
}

/** `<lineage>@<version>.<owner pid>.json`; lineage names hold no `@` (LINEAGE_NAME). */
const RECORD = /^([A-Za-z0-9][A-Za-z0-9._-]*)@(\d+)\.(\d+)\.json$/;

/**
 * The deploy-hooks of stored certificates whose deploy delay has not ended yet, one file each in
 * `deploys/pending/`, so that a process killed inside the delay does not lose them: the local engine
 * writes the record when `Certificate Issued` is published (before the delay's Wait state starts) and
 * removes it once the deploy-hook ran; the next run claims the records of processes that are gone and
 * runs their hooks (`LocalEngine`). certbot has no such record: a `sleep` in its hook dies with it.
 *
 * Rules:
 * - `add` is idempotent per lineage version (a republished event rewrites the same file) and atomic.
 * - A record belongs to the pid in its name. `claimOrphans` takes the records of processes of this
 *   host that no longer run (and this process's own) by renaming each to this pid — a rename only one
 *   claimer wins — so two runs never both take the same record, and a claimer that dies in turn
 *   leaves it to the next run.
 * - `remove` after the hook ran, whatever its exit: each owed hook runs once. A kill between the
 *   hook's end and `remove` runs it again on the next run (at least once, never lost).
 * - Records hold public data and the hook command, mode 0600 all the same (the directory 0700).
 *
 * @example
 * ```ts
 * const pending = new PendingDeploys({ configDir: '/etc/acmeflow' });
 * await pending.add({ issued, deployHook: 'systemctl reload nginx', dueAt: '2025-06-01T10:10:00Z' });
 * for (const record of await pending.claimOrphans()) { ...run it...; await pending.remove(record.issued); }
 * ```
 */
export class PendingDeploys {
  readonly #root: string;
  readonly #pid: number;
  readonly #alive: (pid: number) => boolean;

  constructor(options: PendingDeploysOptions) {
    const layout = new CertbotLayout(options.configDir);
    this.#root = layout.pendingDeploysRoot;
    this.#pid = options.pid ?? process.pid;
    this.#alive = options.processAlive ?? isProcessAlive;
  }

  /** Records a deploy owed by this process. Checks the event (`InvalidEventError`, `EventContainsSecretError`) first. */
  async add(record: PendingDeploy): Promise<void> {
    const checked = checkEvent({ detailType: 'Certificate Issued', detail: record.issued }).detail as EventDetail<'Certificate Issued'>;
    await ensureDirectory(join(this.#root, '..'), 0o700);
    await ensureDirectory(this.#root, 0o700);
    await writeFileAtomic(this.#file(checked, this.#pid), `${JSON.stringify({ ...record, issued: checked })}\n`, { mode: 0o600 });
  }

  /** Forgets the deploy of this lineage version (this process's record); gone already is fine. */
  async remove(issued: Pick<EventDetail<'Certificate Issued'>, 'lineage' | 'version'>): Promise<void> {
    await removeIfExists(this.#file(issued, this.#pid));
  }

  /**
   * Takes the records of processes that no longer run, and this process's own, oldest due first. A
   * file that cannot be read as a record is left where it is (and named in `unreadable`).
   */
  async claimOrphans(): Promise<{ claimed: PendingDeploy[]; unreadable: string[] }> {
    let names: string[];
    try {
      names = await readdir(this.#root);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { claimed: [], unreadable: [] };
      throw error;
    }
    const claimed: PendingDeploy[] = [];
    const unreadable: string[] = [];
    for (const name of names) {
      const match = RECORD.exec(name);
      if (!match) continue;
      const owner = Number(match[3]);
      const ours = { lineage: match[1] as string, version: Number(match[2]) };
      if (owner !== this.#pid) {
        if (this.#alive(owner)) continue;
        try {
          await rename(join(this.#root, name), this.#file(ours, this.#pid));
        } catch (error) {
          // Another run claimed it first.
          if (errorCode(error) === 'ENOENT') continue;
          throw error;
        }
      }
      const text = await readTextIfExists(this.#file(ours, this.#pid));
      const record = text === undefined ? undefined : parseRecord(text);
      if (record && record.issued.lineage === ours.lineage && record.issued.version === ours.version) claimed.push(record);
      else if (text !== undefined) unreadable.push(this.#file(ours, this.#pid));
    }
    claimed.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    return { claimed, unreadable };
  }

  #file(issued: Pick<EventDetail<'Certificate Issued'>, 'lineage' | 'version'>, pid: number): string {
    return join(this.#root, `${issued.lineage}@${issued.version}.${pid}.json`);
  }
}

function parseRecord(text: string): PendingDeploy | undefined {
  try {
    const value = JSON.parse(text) as Partial<PendingDeploy>;
    if (typeof value.deployHook !== 'string' || typeof value.dueAt !== 'string' || Number.isNaN(Date.parse(value.dueAt)) || !value.issued) return undefined;
    const issued = checkEvent({ detailType: 'Certificate Issued', detail: value.issued }).detail as EventDetail<'Certificate Issued'>;
    return { issued, deployHook: value.deployHook, dueAt: value.dueAt };
  } catch {
    return undefined;
  }
}
