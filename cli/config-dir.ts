import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/**
 * The configuration directory: `--config-dir`, else `/etc/acmeflow` when run as root (as certbot
 * uses /etc/letsencrypt), else `~/.config/acmeflow`. A path that is, or lies below, a file is a usage
 * error here, before any network call; a missing directory is fine (it is created when first written).
 */
export function configDirFrom(flag: string | undefined, env: Record<string, string | undefined>): string {
  if (flag) return checkConfigDir(resolve(flag), '--config-dir');
  if (env.ACMEFLOW_CONFIG_DIR) return checkConfigDir(resolve(env.ACMEFLOW_CONFIG_DIR), 'ACMEFLOW_CONFIG_DIR');
  if (process.getuid?.() === 0) return checkConfigDir('/etc/acmeflow', 'the configuration directory');
  return checkConfigDir(join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'acmeflow'), 'the configuration directory');
}

/** Refuses a path that is a file or lies below one, naming the file (instead of a bare ENOTDIR later). */
function checkConfigDir(dir: string, source: string): string {
  for (let path = dir; ; path = dirname(path)) {
    const info = statSync(path, { throwIfNoEntry: false });
    if (info?.isDirectory()) return dir;
    if (info) {
      const where = path === dir ? '' : `: ${path} is a file, not a directory`;
      throw new UsageError(
        `${source} ${dir}${where || ' is a file, not a directory'}. Give a directory (it is created when missing), e.g. --config-dir ${join(dirname(path), 'acmeflow')}.`,
      );
    }
    if (dirname(path) === path) return dir;
  }
}
