/**
 * The Debian packages the peer benchmark needs, installed when missing (as `npm run demo` does):
 * the local CA and DNS server, the two peers, GNU time for CPU and peak memory, and librsvg with a
 * font for the chart.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A file whose presence shows a package is installed. */
interface Requirement {
  readonly path: string;
  readonly pkg: string;
}

const REQUIREMENTS: readonly Requirement[] = [
  { path: '/usr/bin/pebble', pkg: 'pebble' },
  { path: '/usr/sbin/named', pkg: 'bind9' },
  { path: '/usr/bin/certbot', pkg: 'certbot' },
  { path: '/usr/lib/python3/dist-packages/certbot_dns_rfc2136', pkg: 'python3-certbot-dns-rfc2136' },
  { path: '/usr/bin/lego', pkg: 'lego' },
  { path: '/usr/bin/time', pkg: 'time' },
  { path: '/usr/bin/rsvg-convert', pkg: 'librsvg2-bin' },
  { path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', pkg: 'fonts-dejavu-core' },
];

/** Installs the missing packages from Debian (root only); otherwise says what to install and exits 2. */
export function ensurePackages(): void {
  const missing = [...new Set(REQUIREMENTS.filter((r) => !existsSync(r.path)).map((r) => r.pkg))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`The benchmark needs Debian's ${missing.join(', ')}. Install them: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(2);
  }
  console.log(`Installing ${missing.join(', ')} from Debian...`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The installed Debian version of each package (`dpkg-query`), for the results. */
export function debianVersions(packages: readonly string[]): Record<string, string> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template.
  const out = execFileSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', ...packages], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string]),
  );
}
