/**
 * The `acmeflow` process: the command line's arguments, environment and streams handed to
 * {@link main}, its result the exit code. bin/acmeflow.mjs runs this file bundled (bin/cli-bundle.mjs)
 * or, when no bundle can be built, through tsx.
 */
import * as z from 'zod';
import { main } from './main.js';

// zod compiles a fast path for each object schema with new Function() on its first parse: worth it
// for many parses in a long process, not for a command that parses each schema a few times (in CPU
// profiles of `certonly`, compiling and running those functions took 150-250 ms of about 1 s).
z.config({ jitless: true });

process.exitCode = await main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
