/**
 * Child process of the crash tests of `promoteVersion`: promotes one version of a lineage and
 * exits. Run with `--import .../kill-at-live-rename.mjs` to be killed inside the live/ swap.
 *
 * Usage: promote-version.ts CONFIG_DIR LINEAGE VERSION
 */
import { FilesystemCertificateStore } from '../../../../../shared/store/filesystem/filesystem-certificate-store.js';

const [configDir, lineage, version] = process.argv.slice(2) as [string, string, string];
await new FilesystemCertificateStore({ configDir }).promoteVersion(lineage, Number(version));
