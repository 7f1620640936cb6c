/**
 * Switching `live/<name>/` from one version to another with certbot's own crash journal, so that
 * certbot and acmeflow each repair a switch the other (or a killed process) left half done.
 *
 * certbot's `live/` holds four separate symlinks (`cert`, `privkey`, `chain`, `fullchain`), so no
 * single atomic operation can switch them: the best a writer can do is keep the moment in which
 * they disagree short, and leave enough behind that the next reader puts them back together.
 * certbot does it this way (`RenewableCert.update_all_links_to`, `_fix_symlinks`), and so does this
 * module, with the same file names:
 *
 * 1. **journal**: `previous_<kind>.pem` for all four kinds, each pointing where `<kind>.pem` points
 *    now (only when all four links exist: a first version has no old pair to protect), fsynced;
 * 2. **swap**: the new links, made beforehand under temporary names, are renamed over the live ones
 *    back to back with synchronous calls, in certbot's order (cert, privkey, chain, fullchain) —
 *    no I/O wait between two renames, microseconds unless the process is preempted in between;
 * 3. **commit**: the journal goes, `previous_cert.pem` first.
 *
 * **Repair** (certbot's `_fix_symlinks`, which every certbot command runs when it loads a lineage,
 * and {@link repairInterruptedSwitch} here, which every promotion runs first): a *complete* journal
 * (all four `previous_*.pem`, each resolving) means a switch was cut short somewhere between 1 and 3,
 * so all four live links go back to where the journal points — the old pair, whole — and then the
 * journal goes. An incomplete one (cut short while written, or while removed) is just removed: the
 * live links were all old, or all new, then.
 *
 * Readers that follow a half-switched lineage before anyone repaired it should read the journal:
 * {@link servedLink} names the link that serves each file until the repair.
 */
import { readlink, stat, symlink } from 'node:fs/promises';
import { StoreError } from '../errors.js';
import { errorCode, pathExists, readlinkIfExists, removeIfExists, removeTempLeftovers, stageSymlinks, syncDirectory } from './atomic-files.js';
import { CERTBOT_KINDS, type CertbotKind, type CertbotLayout } from './certbot-layout.js';

/** How often a switch is tried again when the links moved under it (certbot repairing at the same moment). */
const SWITCH_ATTEMPTS = 3;

type Targets = Record<CertbotKind, string | undefined>;

async function liveTargets(layout: CertbotLayout, name: string): Promise<Targets> {
  const targets = {} as Targets;
  for (const kind of CERTBOT_KINDS) targets[kind] = await readlinkIfExists(layout.liveFile(name, kind));
  return targets;
}

/** Whether a link's target exists (`os.path.exists` in certbot: a dangling link does not count). */
async function resolves(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return false;
    throw error;
  }
}

/**
 * Whether `live/<name>/` holds certbot's complete journal: all four `previous_<kind>.pem`, each
 * resolving. Then a switch was cut short and the journal's pair is the one to serve.
 */
export async function journalComplete(layout: CertbotLayout, name: string): Promise<boolean> {
  for (const kind of CERTBOT_KINDS) if (!(await resolves(layout.previousLiveFile(name, kind)))) return false;
  return true;
}

/**
 * certbot's `_fix_symlinks`: with a complete journal, every live link goes back to where the journal
 * points; then the journal (complete or not) and any link a killed writer left under a temporary
 * name are removed. Resolves whether the live links were rolled back. Call it where no other writer
 * of this lineage is at work (the lineage lock is held).
 */
export async function repairInterruptedSwitch(layout: CertbotLayout, name: string): Promise<boolean> {
  const complete = await journalComplete(layout, name);
  let changed = false;
  if (complete) {
    const links = [];
    for (const kind of CERTBOT_KINDS) links.push({ target: await readlink(layout.previousLiveFile(name, kind)), path: layout.liveFile(name, kind) });
    const staged = await stageSymlinks(links);
    try {
      staged.swap();
    } finally {
      await staged.discard();
    }
    changed = true;
  }
  for (const kind of CERTBOT_KINDS) {
    const previous = layout.previousLiveFile(name, kind);
    if (await pathExists(previous)) {
      await removeIfExists(previous);
      changed = true;
    }
    await removeTempLeftovers(previous);
    await removeTempLeftovers(layout.liveFile(name, kind));
  }
  if (changed) await syncDirectory(layout.liveDir(name));
  return complete;
}

/**
 * Points the live links of `kinds` at `version`, journaled as described above, after repairing an
 * earlier switch that was cut short; then checks that they stayed there (certbot may repair the
 * same lineage at the same moment, being unaware of acmeflow's lock) and switches again if not.
 * Links already on `version` are left alone, so a repeated call changes nothing.
 *
 * @throws StoreError when the links keep moving under it.
 */
export async function switchLiveLinks(layout: CertbotLayout, name: string, version: number, kinds: readonly CertbotKind[]): Promise<void> {
  await repairInterruptedSwitch(layout, name);
  const dir = layout.liveDir(name);
  for (let attempt = 1; ; attempt++) {
    const current = await liveTargets(layout, name);
    const moves = kinds
      .map((kind) => ({ kind, target: layout.liveLinkTarget(name, kind, version), path: layout.liveFile(name, kind) }))
      .filter((move) => current[move.kind] !== move.target);
    if (moves.length === 0) return;
    if (attempt > SWITCH_ATTEMPTS) {
      throw new StoreError(`live/${name}/ did not stay on version ${version}: another program switches its links at the same time. Run the command again once it is done.`);
    }
    // The slow part first, out of the way: nothing visible changes until the swap.
    const staged = await stageSymlinks(moves);
    try {
      const journaled = CERTBOT_KINDS.every((kind) => current[kind] !== undefined);
      if (journaled) {
        for (const kind of CERTBOT_KINDS) {
          const previous = layout.previousLiveFile(name, kind);
          await removeIfExists(previous);
          await symlink(current[kind] as string, previous);
        }
        await syncDirectory(dir);
      }
      staged.swap();
      // previous_cert.pem first: from here on the journal is incomplete, so nobody rolls back.
      if (journaled) for (const kind of CERTBOT_KINDS) await removeIfExists(layout.previousLiveFile(name, kind));
    } finally {
      await staged.discard();
    }
    await syncDirectory(dir);
  }
}

/**
 * The link that serves `kind` of this lineage right now: `previous_<kind>.pem` while a complete
 * journal says a switch was cut short (the pair certbot, and the next promotion, restore), else
 * `<kind>.pem`.
 */
export async function servedLink(layout: CertbotLayout, name: string, kind: CertbotKind): Promise<string> {
  return (await journalComplete(layout, name)) ? layout.previousLiveFile(name, kind) : layout.liveFile(name, kind);
}
