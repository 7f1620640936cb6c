import { LineageUnreadableError, type CertificateStore } from '../shared/store/index.js';
import type { UnreadableLineage } from '../shared/workflow/index.js';
import type { Output } from './output.js';

/**
 * Whether `--cert-name <name>` names a lineage: one that exists, readable or not. An unreadable one
 * goes on to the sweep, which reports its parse error; "no such certificate" would send the person
 * looking for a file that is there.
 */
export async function lineageNamed(store: CertificateStore, name: string): Promise<boolean> {
  try {
    return (await store.getLineage(name)) !== undefined;
  } catch (err) {
    if (err instanceof LineageUnreadableError) return true;
    throw err;
  }
}

/**
 * Names each lineage the sweep could not read, with the store's message (file, line, problem) and
 * what its error means, on stderr. Returns whether there were any: they make the run fail (exit 1) while the others renew.
 */
export function printUnreadable(out: Output, unreadable: readonly UnreadableLineage[]): boolean {
  if (unreadable.length > 0) out.error(`${unreadable.length} lineage(s) could not be read: ${unreadable.map((u) => u.lineage).join(', ')}`);
  for (const u of unreadable) {
    out.error(`Could not read the lineage ${u.lineage} (${u.errorName}), so it was not renewed: ${u.error}`);
    out.explained(u.errorName);
  }
  return unreadable.length > 0;
}
