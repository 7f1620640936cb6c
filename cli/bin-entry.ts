/**
 * The `acmeflow` process: the command line's arguments, environment and streams handed to
 * {@link main}, its result the exit code. bin/acmeflow.mjs runs this file bundled (bin/cli-bundle.mjs)
 * or, when no bundle can be built, through tsx. It imports only cli/main.ts, which loads a verb's
 * modules when the verb runs, so `acmeflow --version` loads almost nothing.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, interactive: process.stdin.isTTY === true });
