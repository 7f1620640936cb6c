/**
 * `npm run demo`: acmeflow's main job on a fresh machine, through the real `acmeflow` command.
 *
 * It starts a local CA that behaves like the operator manual's (Pebble, External Account Binding
 * required) and a local authoritative DNS server (BIND 9, updated with TSIG through the rfc2136
 * provider), installing the Debian packages when they are missing and it runs as root. Then it
 * walks the manual's certbot commands with `acmeflow` in their place:
 * register with EAB → certonly for two names with an RSA key → renew (nothing due) →
 * renew --force-renewal with a deploy hook → certificates → revoke, and stops what it started.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBind, type BindHandle } from '../harness/bind.js';
import { DEMO_PROGRAMS, ensureDebianPackages, MissingDebianPackagesError } from '../harness/debian-packages.js';
import { startPebble, type PebbleHandle } from '../harness/pebble.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function ensurePackages(): void {
  try {
    ensureDebianPackages(DEMO_PROGRAMS, 'The demo');
  } catch (error) {
    if (!(error instanceof MissingDebianPackagesError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

/** Runs the real command line (bin/acmeflow.mjs) and shows what it prints. */
function acmeflow(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // The EAB HMAC key is a secret: the transcript shows where it goes, not what it is.
  const shown = args.map((a, i) => (args[i - 1] === '--eab-hmac-key' ? '<HMAC key from the CA portal>' : a));
  console.log(`\n$ acmeflow ${shown.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'acmeflow.mjs'), ...args], { env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  ensurePackages();
  console.log('Starting a local CA (Pebble, External Account Binding required) and a local DNS server (BIND 9)...');
  let bind: BindHandle | undefined;
  let pebble: PebbleHandle | undefined;
  try {
    bind = await startBind({ zones: ['example.com'] });
    pebble = await startPebble({ dnsServer: bind.server });
    const work = await mkdtemp(join(tmpdir(), 'acmeflow-demo-'));
    const configDir = join(work, 'config');
    const credentials = join(work, 'rfc2136.ini');
    await writeFile(
      credentials,
      `# certbot-format credentials for the dns-rfc2136 plugin\ndns_rfc2136_server = ${bind.host}\ndns_rfc2136_port = ${bind.port}\n` +
        `dns_rfc2136_name = ${bind.tsig.name}\ndns_rfc2136_secret = ${bind.tsig.secret}\ndns_rfc2136_algorithm = ${bind.tsig.algorithm.toUpperCase()}\n`,
      { mode: 0o600 },
    );
    // The CLI trusts the local CA's TLS certificate the way any Node program can.
    const env = { ...process.env, ...pebble.env };
    const server = pebble.directoryUrl;
    const common = ['--config-dir', configDir];
    const steps: [string, string[]][] = [
      ['register', ['register', '-m', 'mail@example.jp', '--agree-tos', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey, '--server', server, ...common]],
      [
        'certonly',
        ['certonly', '-d', 'example.com,www.example.com', '--key-type', 'rsa', '--dns', 'rfc2136', '--dns-rfc2136-credentials', credentials, '--dns-resolver', bind.server, '--server', server, ...common],
      ],
      // Like certbot, a renew started without a terminal first waits a random time (spreading a fleet's
      // cron jobs); the demo says not to, as an interactive run would not.
      ['renew (nothing due)', ['renew', '--no-random-sleep-on-renew', ...common]],
      [
        'renew --force-renewal',
        ['renew', '--force-renewal', '--no-random-sleep-on-renew', '--deploy-hook', 'echo "deploy hook: reloading the web server for $RENEWED_LINEAGE ($RENEWED_DOMAINS)"', '--post-hook', 'echo "post hook: renewal run finished"', ...common],
      ],
      ['certificates', ['certificates', ...common]],
      ['revoke', ['revoke', '--cert-path', join(configDir, 'live', 'example.com', 'cert.pem'), '--reason', 'superseded', '--server', server, ...common]],
    ];
    for (const [label, args] of steps) {
      const code = await acmeflow(args, env);
      if (code !== 0) throw new Error(`the ${label} step exited with ${code}`);
    }
    console.log(`\nThe certificates, keys and renewal settings are in ${configDir} (certbot's layout: live/, archive/, renewal/).`);
  } finally {
    await pebble?.stop();
    await bind?.stop();
    console.log('Stopped the local CA and DNS server.');
  }
}

main().catch((err: unknown) => {
  console.error(`Demo failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
