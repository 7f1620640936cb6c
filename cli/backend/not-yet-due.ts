import type { LineageSpec } from '../../shared/config/index.js';
import { decideRenewal } from '../../shared/renewal/index.js';
import type { StoredLineage } from '../../shared/store/index.js';

/**
 * certbot's answer when certonly asks again for a lineage it has, with the same names and key, that
 * is not due: no action. Returns the current certificate's expiry then; `undefined` means go on and issue.
 *
 * @example
 * ```ts
 * const notAfter = notYetDue(await store.getLineage(spec.name), spec, { force: false, dryRun: false });
 * ```
 */
export function notYetDue(existing: StoredLineage | undefined, spec: LineageSpec, options: { force: boolean; dryRun: boolean }): string | undefined {
  if (!existing || options.dryRun || options.force || !sameRequest(existing.lineage.spec, spec)) return undefined;
  const { state } = existing.lineage;
  const decision = decideRenewal({ spec: existing.lineage.spec, state, now: new Date(), random: Math.random });
  if (decision.due || !state.current) return undefined;
  return state.current.notAfter;
}

/** certbot keeps a lineage when certonly asks for the same names and key again. */
function sameRequest(a: LineageSpec, b: LineageSpec): boolean {
  return a.keyType === b.keyType && a.ca.directoryUrl === b.ca.directoryUrl && [...a.domains].sort().join() === [...b.domains].sort().join();
}
