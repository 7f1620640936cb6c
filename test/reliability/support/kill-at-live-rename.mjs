/**
 * Preload (`node --import <this file>`, or `NODE_OPTIONS=--import=<this file>`) that kills its own
 * process with SIGKILL right after the n-th rename onto one of a lineage's four `live/` links —
 * that is, between two renames of the filesystem store's swap, where no inotify watcher or timer
 * can land reliably. Nothing in acmeflow knows about it: it wraps `fs.renameSync` (the call the
 * swap makes) and re-syncs the ESM bindings of `node:fs`.
 *
 * Environment:
 * - ACMEFLOW_KILL_AFTER_LIVE_RENAMES: n (1 to 3 land inside the swap);
 * - ACMEFLOW_KILL_LINEAGE: the lineage name (only renames onto `live/<name>/<kind>.pem` count).
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const after = Number(process.env.ACMEFLOW_KILL_AFTER_LIVE_RENAMES);
const lineage = process.env.ACMEFLOW_KILL_LINEAGE;
if (Number.isInteger(after) && after > 0 && lineage) {
  const liveLink = new RegExp(`[/\\\\]live[/\\\\]${lineage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[/\\\\](cert|privkey|chain|fullchain)\\.pem$`);
  const renameSync = fs.renameSync;
  let seen = 0;
  fs.renameSync = function killingRenameSync(from, to) {
    renameSync(from, to);
    if (liveLink.test(String(to)) && ++seen === after) process.kill(process.pid, 'SIGKILL');
  };
  syncBuiltinESMExports();
}
