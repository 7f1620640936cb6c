/**
 * A `--manual-auth-hook` / `--manual-cleanup-hook` as an operator would write one for a DNS without a
 * certbot plugin: it publishes (`add`) or removes (`del`) `_acme-challenge.$CERTBOT_DOMAIN` TXT
 * `$CERTBOT_VALIDATION` in BIND through RFC 2136 (the credentials INI in `HOOK_CREDENTIALS`), and
 * appends certbot's hook environment to `HOOK_LOG`, one JSON line per run, for the test to read.
 * Run by certbot and by acmeflow alike.
 */
import { appendFile } from 'node:fs/promises';
import { createProvider } from '../../../../shared/dns/providers/index.js';

const [action] = process.argv.slice(2);
const env = process.env;
const name = `_acme-challenge.${env.CERTBOT_DOMAIN}`;
const record = { name, values: [env.CERTBOT_VALIDATION as string] };
const dns = createProvider('rfc2136', { credentialsFile: env.HOOK_CREDENTIALS }, { env });
if (action === 'add') await dns.upsertTxt(record);
else await dns.deleteTxt(record);
const seen = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('CERTBOT_')));
await appendFile(env.HOOK_LOG as string, `${JSON.stringify({ action, ...seen })}\n`);
// certbot hands what the auth hook printed to the cleanup hook as CERTBOT_AUTH_OUTPUT.
if (action === 'add') process.stdout.write(`published ${name}\n`);
