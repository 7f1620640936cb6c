import { LineageNotFoundError, type Lineage } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';

/** The stored lineage, or `LineageNotFoundError`. */
export async function requireLineage(name: string, deps: Pick<WorkflowDeps, 'store'>): Promise<Lineage> {
  const stored = await deps.store.getLineage(name);
  if (!stored) throw new LineageNotFoundError(name);
  return stored.lineage;
}
