#!/usr/bin/env node
// The `acmeflow` command. Runs the TypeScript sources through tsx, so `npx acmeflow` works right
// after `npm ci` with no build step. npx puts node_modules/.bin first on PATH, where the `node@22`
// devDependency provides Node 22.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
