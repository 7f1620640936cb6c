import { describe, expect, it } from 'vitest';
import { ManualDnsProvider, type ManualHookRunner } from '../../../../shared/dns/providers/manual/index.js';

/** A runner that records each hook's command and certbot's variables, and answers as told. */
function recorder(answer: (command: string, env: NodeJS.ProcessEnv) => { exitCode: number | null; stdout?: string; stderr?: string } = () => ({ exitCode: 0 })) {
  const runs: { command: string; env: Record<string, string | undefined> }[] = [];
  const run: ManualHookRunner = async (command, env) => {
    runs.push({ command, env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('CERTBOT_') || k === 'KEEP')) });
    const a = answer(command, env);
    return { exitCode: a.exitCode, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
  };
  return { runs, run };
}

describe('ManualDnsProvider (certbot --manual --preferred-challenges dns)', () => {
  it('runs the auth hook once per value, one after the other, with certbot\u2019s environment for the whole batch', async () => {
    const { runs, run } = recorder((_c, env) => ({ exitCode: 0, stdout: `out ${env.CERTBOT_VALIDATION}\n` }));
    const dns = new ManualDnsProvider({ authHook: '/bin/add', cleanupHook: '/bin/del' }, { run, env: { KEEP: 'yes' } });
    const records = [
      { name: '_acme-challenge.example.com', values: ['v1', 'v2'] },
      { name: '_acme-challenge.www.example.com', values: ['v3'] },
    ];
    await Promise.all(records.map((r) => dns.upsertTxt(r)));
    expect(runs.map((r) => [r.command, r.env.CERTBOT_DOMAIN, r.env.CERTBOT_VALIDATION, r.env.CERTBOT_REMAINING_CHALLENGES])).toEqual([
      ['/bin/add', 'example.com', 'v1', '2'],
      ['/bin/add', 'example.com', 'v2', '1'],
      ['/bin/add', 'www.example.com', 'v3', '0'],
    ]);
    for (const r of runs) expect(r.env).toMatchObject({ CERTBOT_ALL_DOMAINS: 'example.com,www.example.com', KEEP: 'yes' });
    runs.length = 0;
    // A provider built again (the cleanup step builds its own) still hands the auth output over.
    const again = new ManualDnsProvider({ authHook: '/bin/add', cleanupHook: '/bin/del' }, { run });
    await Promise.all(records.map((r) => again.deleteTxt(r)));
    expect(runs.map((r) => [r.command, r.env.CERTBOT_VALIDATION, r.env.CERTBOT_AUTH_OUTPUT])).toEqual([
      ['/bin/del', 'v1', 'out v1'],
      ['/bin/del', 'v2', 'out v2'],
      ['/bin/del', 'v3', 'out v3'],
    ]);
  });

  it('stops at the first failed auth hook with ManualHookError naming the record; no cleanup hook means cleanup is a no-op', async () => {
    const { runs, run } = recorder((_c, env) => ({ exitCode: env.CERTBOT_DOMAIN === 'a.example' ? 3 : 0, stderr: 'nsupdate: REFUSED' }));
    const dns = new ManualDnsProvider({ authHook: '/bin/add' }, { run });
    const results = await Promise.allSettled([dns.upsertTxt({ name: '_acme-challenge.a.example', values: ['x'] }), dns.upsertTxt({ name: '_acme-challenge.b.example', values: ['y'] })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const error = (results[0] as PromiseRejectedResult).reason as Error & { exitCode: number };
    expect(error.name).toBe('ManualHookError');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('_acme-challenge.a.example');
    expect(error.message).toContain('nsupdate: REFUSED');
    expect(runs).toHaveLength(1);
    await dns.deleteTxt({ name: '_acme-challenge.a.example', values: ['x'] });
    expect(runs).toHaveLength(1);
  });
});
