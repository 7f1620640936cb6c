import { LineageConflictError } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';

/** Tries of the read-modify-write: another writer (a sweep's ARI state, a failure record) may come between the read and the write. */
const MARK_TRIES = 4;

/**
 * Records in the lineage's outbox (`state.announced`) that the event `which` of `version` was
 * published. Does nothing when the outbox is about another version (a newer one was stored since:
 * its own run announces it) or has no entry. Never throws: the event is out already, and a mark
 * that could not be written only makes the next sweep publish it again (events are at least once).
 *
 * @example
 * ```ts
 * await deps.events.publish([{ detailType: 'Certificate Issued', detail }]);
 * await markAnnounced(deps, 'example.com', 3, 'issued');
 * ```
 */
export async function markAnnounced(deps: Pick<WorkflowDeps, 'store' | 'log'>, lineage: string, version: number, which: 'issued' | 'deployable'): Promise<void> {
  try {
    for (let attempt = 1; ; attempt++) {
      const stored = await deps.store.getLineage(lineage);
      const announced = stored?.lineage.state.announced;
      if (!stored || !announced || announced.version !== version || announced[which]) return;
      try {
        await deps.store.putLineage({ spec: stored.lineage.spec, state: { ...stored.lineage.state, announced: { ...announced, [which]: true } } }, { expectedEtag: stored.etag });
        return;
      } catch (err) {
        if (!(err instanceof LineageConflictError) || attempt >= MARK_TRIES) throw err;
      }
    }
  } catch (err) {
    deps.log.warn(
      `Could not record that the ${which === 'issued' ? 'Certificate Issued' : 'Certificate Deployable'} event of ${lineage} version ${version} was published; the next sweep publishes it again.`,
      {
        lineage,
        version,
        error: (err as Error).message,
      },
    );
  }
}
