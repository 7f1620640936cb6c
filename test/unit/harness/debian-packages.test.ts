import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensureDebianPackages, MissingDebianPackagesError, TEST_PROGRAMS } from '../../../harness/debian-packages.js';

afterEach(() => vi.restoreAllMocks());

describe('ensureDebianPackages', () => {
  it('does nothing when every program is there', () => {
    const log = vi.fn();
    ensureDebianPackages([{ path: process.execPath, pkg: 'nodejs' }], 'The tests', log);
    expect(log).not.toHaveBeenCalled();
  });

  it('names each missing package once, and the command to run, when it cannot install (not root)', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    const missing = [
      { path: '/nonexistent/acmeflow/pebble', pkg: 'pebble' },
      { path: '/nonexistent/acmeflow/pebble-challtestsrv', pkg: 'pebble' },
      { path: '/nonexistent/acmeflow/named', pkg: 'bind9' },
      { path: process.execPath, pkg: 'nodejs' },
    ];
    let caught: unknown;
    try {
      ensureDebianPackages(missing, 'The tests');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingDebianPackagesError);
    expect(caught).toMatchObject({ name: 'MissingDebianPackagesError', packages: ['pebble', 'bind9'] });
    expect((caught as Error).message).toContain('apt-get install -y pebble bind9');
  });

  it('covers every server and tool the tests start', () => {
    expect(new Set(TEST_PROGRAMS.map((p) => p.pkg))).toEqual(new Set(['pebble', 'bind9', 'bind9-utils', 'certbot', 'python3-certbot-dns-rfc2136']));
  });
});
