import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A program the harness runs, and the Debian package that ships it. */
export interface NeededProgram {
  readonly path: string;
  readonly pkg: string;
}

/** What the tests start: Pebble and its challenge server, BIND 9 and its tools, and certbot with its rfc2136 plugin (the filesystem layout and the drop-in are checked against it). */
export const TEST_PROGRAMS: readonly NeededProgram[] = [
  { path: '/usr/bin/pebble', pkg: 'pebble' },
  { path: '/usr/bin/pebble-challtestsrv', pkg: 'pebble' },
  { path: '/usr/sbin/named', pkg: 'bind9' },
  { path: '/usr/bin/named-checkconf', pkg: 'bind9-utils' },
  { path: '/usr/bin/dnssec-signzone', pkg: 'bind9-utils' },
  { path: '/usr/bin/certbot', pkg: 'certbot' },
  // certbot's rfc2136 plugin: certbot makes dns-01 lineages against BIND for the drop-in tests.
  { path: '/usr/lib/python3/dist-packages/certbot_dns_rfc2136/__init__.py', pkg: 'python3-certbot-dns-rfc2136' },
];

/** What the demo starts. */
export const DEMO_PROGRAMS: readonly NeededProgram[] = [
  { path: '/usr/bin/pebble', pkg: 'pebble' },
  { path: '/usr/bin/pebble-challtestsrv', pkg: 'pebble' },
  { path: '/usr/sbin/named', pkg: 'bind9' },
];

/** The programs are missing and this process cannot install them (not root). */
export class MissingDebianPackagesError extends Error {
  constructor(
    readonly who: string,
    readonly packages: readonly string[],
  ) {
    super(`${who} need Debian's ${packages.join(', ')} package(s). Install them as root: apt-get update && apt-get install -y ${packages.join(' ')}`);
    this.name = 'MissingDebianPackagesError';
  }
}

/**
 * Installs the Debian packages of the programs that are missing, when this process runs as root
 * (a fresh machine, CI); otherwise throws {@link MissingDebianPackagesError} naming the command to
 * run. Does nothing when every program is there, so a prepared machine pays no apt call.
 *
 * @example
 * ```ts
 * ensureDebianPackages(TEST_PROGRAMS, 'The tests'); // installs pebble, bind9, ... when missing
 * ```
 */
export function ensureDebianPackages(programs: readonly NeededProgram[], who: string, log: (line: string) => void = console.log): void {
  const missing = [...new Set(programs.filter(({ path }) => !existsSync(path)).map(({ pkg }) => pkg))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new MissingDebianPackagesError(who, missing);
  log(`${who}: installing ${missing.join(', ')} from Debian...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // `apt-get update` first: on a fresh machine the package lists are empty or old.
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}
