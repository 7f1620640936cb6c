import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    // Installs pebble, bind9, bind9-utils and certbot when missing (as root), so `npm test` needs nothing before it.
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests start real servers (Pebble, BIND); give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
