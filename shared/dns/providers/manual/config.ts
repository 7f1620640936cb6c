// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';

/**
 * Configuration of the manual provider: certbot's `--manual-auth-hook` and `--manual-cleanup-hook`
 * (renewal conf `manual_auth_hook`, `manual_cleanup_hook`), shell commands run on this machine.
 *
 * @example
 * ```ts
 * manualConfigSchema.parse({ authHook: '/etc/letsencrypt/dns-add.sh', cleanupHook: '/etc/letsencrypt/dns-del.sh' });
 * ```
 */
export const manualConfigSchema = z.strictObject({
  authHook: z.string().min(1),
  cleanupHook: z.string().min(1).optional(),
});

export type ManualConfig = z.output<typeof manualConfigSchema>;
