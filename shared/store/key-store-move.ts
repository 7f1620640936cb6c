import type { KeyStoreKind } from '../config/key-stores.js';
import type { CertificateStore } from './certificate-store.js';
import { KeyNotFoundError, KeyStoreMoveInflightError, KeyStoreMoveMismatchError, LineageConflictError, LineageNotFoundForMoveError } from './errors.js';
import type { CertificateKeyStore, KeyStore } from './key-store.js';
import type { LineageState } from './lineage.js';

/** The two AWS certificate key stores a lineage moves between. */
export type KeyStoresByKind = Readonly<Record<KeyStoreKind, CertificateKeyStore>>;

/** What {@link moveLineageKeyStore} needs: the lineages, both key stores, the issuer's default and a clock. */
export interface KeyStoreMoveDeps {
  readonly store: Pick<CertificateStore, 'getLineage' | 'putLineage' | 'getVersion'>;
  readonly stores: KeyStoresByKind;
  /** Where the keys of a lineage whose spec names no `keyStore` live. */
  readonly defaultKeyStore: KeyStoreKind;
  readonly now: () => Date;
}

/** What a move did: copied and switched, or nothing because the lineage was in `to` already. */
export interface KeyStoreMoveOutcome {
  readonly lineage: string;
  readonly from: KeyStoreKind;
  readonly to: KeyStoreKind;
  /** The versions whose keys were copied (empty for a lineage without a certificate yet, or one already there). */
  readonly copiedVersions: readonly number[];
  readonly moved: boolean;
}

const SWITCH_TRIES = 4;

/**
 * Moves a lineage's certificate keys to the other store without a new certificate, in an order that
 * leaves it readable after a crash at any point:
 *
 * 1. **copy**: the current version's key (and the previous version's, where the old store keeps
 *    versions, so a late reader of `live/` before the last switch finds it) into `to`, through the
 *    port's own pending → promote path with a token per version, so a retry converges (write-once
 *    per version; Secrets Manager never moves `AWSCURRENT` back). The copy is read back and must be
 *    the key the old store serves.
 * 2. **switch**: one conditional write of the lineage with `spec.keyStore = to` and
 *    `state.keyStoreMove = { from, to, atVersion }`. Until it, the spec still routes every reader to
 *    the old store; after it, to the new one.
 * 3. **remove**, later: {@link finishKeyStoreMove} once a newer version was delivered.
 *
 * A lineage with an issuance in flight (`state.inflight`) is refused: its order's key would be
 * promoted in the old store. A crash after 1 leaves an unused copy that the next attempt reuses; after 2, both copies, the new
 * one in use. An issuance that stores a version between 1 and 2 makes the switch's etag fail; the
 * next attempt copies that version too.
 *
 * @example
 * ```ts
 * await moveLineageKeyStore(deps, 'example.com', 'secretsManager');
 * ```
 */
export async function moveLineageKeyStore(deps: KeyStoreMoveDeps, lineage: string, to: KeyStoreKind): Promise<KeyStoreMoveOutcome> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.getLineage(lineage);
    if (!stored) throw new LineageNotFoundForMoveError(lineage);
    const { spec, state } = stored.lineage;
    const from = spec.keyStore ?? deps.defaultKeyStore;
    if (from === to) return { lineage, from, to, copiedVersions: [], moved: false };
    // An order in flight keeps its pending key in the old store and would promote it there, after the
    // switch, into the copy that is removed later. The switch's etag catches an order starting meanwhile.
    if (state.inflight) throw new KeyStoreMoveInflightError(lineage);

    const copiedVersions = state.currentVersion > 0 ? await copyKeys(deps, lineage, state.currentVersion, deps.stores[from], deps.stores[to], to) : [];
    // A move back before the old copies were removed replaces the record: the store left now is the other one.
    const keyStoreMove = { from, to, atVersion: state.currentVersion, movedAt: deps.now().toISOString() };
    try {
      await deps.store.putLineage({ spec: { ...spec, keyStore: to }, state: { ...state, keyStoreMove } }, { expectedEtag: stored.etag });
      return { lineage, from, to, copiedVersions, moved: true };
    } catch (error) {
      // An issuance or a sweep wrote the lineage meanwhile (perhaps a new version): copy again.
      if (!(error instanceof LineageConflictError) || attempt >= SWITCH_TRIES) throw error;
    }
  }
}

/** Copies the keys of `current` (and of the version before, where the old store answers it) from `source` to `target`. */
async function copyKeys(deps: KeyStoreMoveDeps, lineage: string, current: number, source: CertificateKeyStore, target: CertificateKeyStore, to: KeyStoreKind): Promise<number[]> {
  const currentKey = await source.getCurrentCertificateKey(lineage);
  if (currentKey === undefined) throw new KeyNotFoundError(`The current certificate key of "${lineage}"`);
  const previous = current > 1 ? await source.getCertificateKey?.(lineage, current - 1) : undefined;
  const copied: number[] = [];
  // The older one first: a store that keeps one current key (Secrets Manager) ends on the current one.
  for (const [version, key] of [
    [current - 1, previous],
    [current, currentKey],
  ] as const) {
    if (key === undefined) continue;
    const certificate = await deps.store.getVersion(lineage, version);
    if (!certificate) continue;
    const token = `acmeflow-key-store-move:${version}`;
    await target.putPendingCertificateKey(lineage, token, key);
    await target.promoteCertificateKey(lineage, token, version, certificate.fullchainPem);
    copied.push(version);
  }
  if (!copied.includes(current) || (await target.getCurrentCertificateKey(lineage)) !== currentKey) throw new KeyStoreMoveMismatchError(lineage, to);
  return copied;
}

/**
 * Whether the old copies of a moved lineage may go: a version newer than the one current at the
 * switch was announced deployable, so every deploy hook has been handed a key from the new store.
 *
 * @example
 * ```ts
 * keyStoreRemovalDue(state); // true once state.announced.deployable is set for a version after keyStoreMove.atVersion
 * ```
 */
export function keyStoreRemovalDue(state: LineageState): boolean {
  const move = state.keyStoreMove;
  const announced = state.announced;
  return move !== undefined && announced?.deployable === true && announced.version > move.atVersion;
}

/**
 * Ends a move whose removal is due ({@link keyStoreRemovalDue}): removes the old store's copies,
 * then clears `state.keyStoreMove`. CleanupRecords calls it while it holds the lineage's lock; a key
 * store that cannot remove (the local files) leaves the record. A crash between the two leaves the record, and the next call
 * removes again (idempotent) and clears it. Resolves whether it removed anything.
 *
 * @example
 * ```ts
 * await finishKeyStoreMove({ store, keys: routedKeyStore }, 'example.com');
 * ```
 */
export async function finishKeyStoreMove(
  deps: { readonly store: KeyStoreMoveDeps['store']; readonly keys: Pick<KeyStore, 'removeMovedCertificateKeys'> },
  lineage: string,
): Promise<boolean> {
  if (!deps.keys.removeMovedCertificateKeys) return false;
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.getLineage(lineage);
    const move = stored?.lineage.state.keyStoreMove;
    if (!stored || !move || !keyStoreRemovalDue(stored.lineage.state)) return false;
    // A spec written back to the old store since (a deploy that still names it) keeps its keys there.
    if (stored.lineage.spec.keyStore !== move.from) await deps.keys.removeMovedCertificateKeys(lineage, move.from);
    const { keyStoreMove: _done, ...state } = stored.lineage.state;
    try {
      await deps.store.putLineage({ spec: stored.lineage.spec, state }, { expectedEtag: stored.etag });
      return true;
    } catch (error) {
      if (!(error instanceof LineageConflictError) || attempt >= SWITCH_TRIES) throw error;
    }
  }
}
