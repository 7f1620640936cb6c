import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalBackend, selectBackend } from '../../../../cli/backend/index.js';
import { CloudBackend } from '../../../../cli/backend/cloud-backend.js';
import type { CloudCommandContext } from '../../../../cli/cloud/index.js';
import { LOCAL_ONLY_FIXES } from '../../../../cli/cloud/index.js';
import { Output } from '../../../../cli/output.js';

function context(): CloudCommandContext & { clientsMade: number } {
  const env = { LANG: 'C', HOME: '/home/operator' };
  const state = { clientsMade: 0 };
  return Object.assign(state, {
    env,
    out: new Output({ write: () => true }, { write: () => true }, env),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    cloudClients: () => {
      state.clientsMade += 1;
      throw new Error('no AWS client may be made while the backend is chosen');
    },
  });
}

const LOCAL_ONLY = { 'deploy-hook': LOCAL_ONLY_FIXES['deploy-hook'], 'config-dir': LOCAL_ONLY_FIXES['config-dir'] };

describe('selectBackend', () => {
  it('without --stack: this machine, in the --config-dir given (resolved), else the default config directory', async () => {
    const given = await selectBackend('certonly', { 'config-dir': 'relative/dir' }, LOCAL_ONLY, context());
    expect(given).toBeInstanceOf(LocalBackend);
    expect((given as LocalBackend).configDir).toBe(resolve('relative/dir'));
    const defaulted = await selectBackend('certonly', {}, LOCAL_ONLY, context());
    expect((defaulted as LocalBackend).configDir).toMatch(process.getuid?.() === 0 ? /^\/etc\/acmeflow$/ : new RegExp(`${join('/home/operator', '.config', 'acmeflow')}$`));
  });

  it('with --stack: the stack, its target from --stack/--region/--wait, and no AWS call yet', async () => {
    const cmd = context();
    const backend = await selectBackend('renew', { stack: 'Acmeflow', region: 'ap-northeast-1', wait: true }, LOCAL_ONLY, cmd);
    expect(backend).toBeInstanceOf(CloudBackend);
    expect((backend as CloudBackend).target).toEqual({ stackName: 'Acmeflow', region: 'ap-northeast-1', wait: true });
    expect(cmd.clientsMade).toBe(0);
  });

  it('with --stack, refuses the verb\u2019s local-only flags with their fix', async () => {
    const refused = selectBackend('certonly', { stack: 'Acmeflow', 'deploy-hook': 'systemctl reload nginx' }, LOCAL_ONLY, context());
    await expect(refused).rejects.toMatchObject({ name: 'UsageError', message: expect.stringContaining('--deploy-hook: not in cloud mode (--stack).') });
    await expect(refused).rejects.toThrow('Certificate Deployable');
  });

  it('refuses cloud-only flags without --stack, so a forgotten --stack never acts on this machine', async () => {
    await expect(selectBackend('renew', { region: 'ap-northeast-1' }, LOCAL_ONLY, context())).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('--region goes with --stack NAME'),
    });
    await expect(selectBackend('renew', { stack: 'not a stack' }, LOCAL_ONLY, context())).rejects.toMatchObject({ name: 'UsageError' });
  });
});
