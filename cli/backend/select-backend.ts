import type { CloudCommandContext } from '../cloud/cloud-context.js';
import { cloudTargetFromFlags, refuseLocalFlags } from '../cloud/cloud-flags.js';
import { configDirFrom } from '../config-dir.js';
import type { Backend } from './backend.js';

/**
 * The one place that tells this machine from a stack: `--stack` (with `--region`, `--wait`) picks
 * the stack, else the config directory. With `--stack`, flags that only mean something on this
 * machine are refused first, each with its fix (`localOnly`: flag without `--` → the fix), and
 * cloud-only flags without `--stack` are refused by {@link cloudTargetFromFlags}: both before any
 * AWS call or file write.
 *
 * @example
 * ```ts
 * const backend = await selectBackend('renew', { stack: 'Acmeflow', wait: true }, { 'pre-hook': LOCAL_ONLY_FIXES['pre-hook'] }, cmd);
 * ```
 */
export async function selectBackend(
  verb: string,
  values: Record<string, unknown>,
  localOnly: Readonly<Record<string, string>>,
  cmd: CloudCommandContext,
): Promise<Backend> {
  const target = cloudTargetFromFlags(verb, values);
  if (!target) {
    // Loaded on use like the cloud side: `--help` of a verb and the flag checks before it need neither.
    const { LocalBackend } = await import('./local-backend.js');
    return new LocalBackend(cmd, configDirFrom(values['config-dir'] as string | undefined, cmd.env));
  }
  refuseLocalFlags(values, localOnly);
  // The AWS SDK loads only with --stack: the local command starts faster.
  const { CloudBackend } = await import('./cloud-backend.js');
  return new CloudBackend(cmd, target);
}
