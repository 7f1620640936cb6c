import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The configuration directory: `--config-dir`, else `/etc/acmeflow` when run as root (as certbot
 * uses /etc/letsencrypt), else `~/.config/acmeflow`.
 */
export function configDirFrom(flag: string | undefined, env: Record<string, string | undefined>): string {
  if (flag) return resolve(flag);
  if (env.ACMEFLOW_CONFIG_DIR) return resolve(env.ACMEFLOW_CONFIG_DIR);
  if (process.getuid?.() === 0) return '/etc/acmeflow';
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'acmeflow');
}
