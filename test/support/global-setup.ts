import { ensureDebianPackages, TEST_PROGRAMS } from '../../harness/debian-packages.js';

/**
 * vitest's global setup: on a fresh machine, `npm ci && npm test` installs the Debian packages the
 * tests start (as root, like the demo), once, before any test file runs; as another user it stops
 * with the one command to run.
 */
export default function setup(): void {
  ensureDebianPackages(TEST_PROGRAMS, 'The tests');
}
