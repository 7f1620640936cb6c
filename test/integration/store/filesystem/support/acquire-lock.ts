/**
 * Child process of the lock race test: loads the lock, prints `ready`, then for every line on
 * stdin (sent to every child at once) tries to take the lineage's lock once and prints the
 * outcome as one JSON line: `{"ok":true,...}` or the error's name. Exits when stdin closes.
 *
 * Usage: acquire-lock.ts CONFIG_DIR LINEAGE OWNER
 */
import { createInterface } from 'node:readline';
import { FilesystemLineageLock } from '../../../../../shared/store/filesystem/filesystem-lineage-lock.js';

const [configDir, lineage, owner] = process.argv.slice(2) as [string, string, string];
const lock = new FilesystemLineageLock({ configDir });
process.stdout.write('ready\n');
for await (const _ of createInterface({ input: process.stdin })) {
  try {
    const handle = await lock.acquire(lineage, { owner, leaseSeconds: 60 });
    process.stdout.write(`${JSON.stringify({ ok: true, owner, token: handle.token })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, owner, name: (error as Error).name })}\n`);
  }
}
