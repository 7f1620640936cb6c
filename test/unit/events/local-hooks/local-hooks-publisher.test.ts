import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AcmeflowEvent } from '../../../../shared/events/index.js';
import { HookFailedError, LocalHooksPublisher, type HookLogger, type LocalHooksPublisherOptions, type SpawnFunction } from '../../../../shared/events/local-hooks/index.js';
import { deployable, issuanceFailed, issued, PEM_PRIVATE_KEY, revoked, sweep } from '../fixtures.js';

// These tests run real hooks through /bin/sh: quoting, exit codes and environments are the shell's.

let dir: string;
let log: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-hooks-'));
  log = join(dir, 'hooks.log');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function hooks(options: LocalHooksPublisherOptions, extra: { spawn?: SpawnFunction } = {}) {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: HookLogger = {
    info: (message, fields) => lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => lines.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  // The parent environment is explicit, so the tests know every variable a hook can see.
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LOG: log };
  return { publisher: new LocalHooksPublisher(options, { logger, env, ...extra }), lines };
}

const logged = async (): Promise<string[]> =>
  (await readFile(log, 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line !== '');
const rejectionOf = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a rejection'), (error: unknown) => error as Error);

const DEPLOY = 'echo "deploy|$RENEWED_LINEAGE|$RENEWED_DOMAINS" >> "$LOG"';
const POST = 'echo "post|$RENEWED_DOMAINS|$FAILED_DOMAINS" >> "$LOG"';
const PRE = 'echo pre >> "$LOG"';

describe('LocalHooksPublisher deploy hook', () => {
  it('runs once per deployable lineage with RENEWED_LINEAGE and RENEWED_DOMAINS, and for nothing else', async () => {
    const { publisher } = hooks({ deployHook: DEPLOY });
    await publisher.publish([
      issued('a.example'),
      deployable('a.example'),
      revoked('c.example'),
      deployable('b.example', { domains: ['b.example', 'www.b.example', 'api.b.example'], location: '/etc/acmeflow/live/b.example/' }),
      issuanceFailed('d.example'),
    ]);

    expect(await logged()).toEqual([
      'deploy|/etc/acmeflow/live/a.example|a.example www.a.example',
      'deploy|/etc/acmeflow/live/b.example|b.example www.b.example api.b.example',
    ]);
  });

  it('does not deploy a lineage version twice when its event is published again', async () => {
    const { publisher } = hooks({ deployHook: DEPLOY });
    await publisher.publish([deployable('a.example'), deployable('a.example')]);
    await publisher.publish([deployable('a.example')]);
    await publisher.publish([deployable('a.example', { version: 3 })]);
    expect(await logged()).toHaveLength(2);
  });

  it('passes the parent environment plus the two variables, and nothing else', async () => {
    const { publisher } = hooks({ deployHook: `env | cut -d= -f1 | sort > "${join(dir, 'env')}"` });
    await publisher.publish([deployable('a.example')]);
    const names = (await readFile(join(dir, 'env'), 'utf8')).split('\n').filter((n) => n !== '' && !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(n));
    expect(names).toEqual(['LOG', 'PATH', 'RENEWED_DOMAINS', 'RENEWED_LINEAGE']);
  });

  it('reads the command with /bin/sh -c: quotes, variables, pipes and && work as on a command line', async () => {
    const command = `printf '%s\\n' "it's \\"quoted\\"" 'single $RENEWED_LINEAGE' "double $RENEWED_DOMAINS" | tr a-z A-Z >> "$LOG" && echo "after && ok" >> "$LOG"`;
    const calls: unknown[][] = [];
    const spy: SpawnFunction = (file, args, options) => {
      calls.push([file, args]);
      return spawn(file, args, options);
    };
    const { publisher } = hooks({ deployHook: command }, { spawn: spy });
    await publisher.publish([deployable('a.example', { domains: ['a.example'] })]);

    expect(calls).toEqual([['/bin/sh', ['-c', command]]]);
    expect(await logged()).toEqual(['IT\'S "QUOTED"', 'SINGLE $RENEWED_LINEAGE', 'DOUBLE A.EXAMPLE', 'after && ok']);
  });

  it('skips deploy hooks on a dry run but still runs the post hook', async () => {
    const { publisher, lines } = hooks({ deployHook: DEPLOY, postHook: POST, dryRun: true });
    await publisher.publish([deployable('a.example'), sweep(1, { dryRun: true })]);
    expect(await logged()).toEqual(['post||']);
    expect(lines.map((l) => l.message)).toContain(`Dry run: skipping deploy hook command: ${DEPLOY}`);
  });

  it('passes the hook output to the logger', async () => {
    const { publisher, lines } = hooks({ deployHook: 'echo reloaded nginx; echo warning: slow >&2' });
    await publisher.publish([deployable('a.example')]);
    expect(lines).toEqual([
      { level: 'info', message: 'Running deploy-hook command: echo reloaded nginx; echo warning: slow >&2', fields: expect.objectContaining({ hook: 'deploy-hook', lineage: 'a.example' }) },
      { level: 'info', message: "Hook 'deploy-hook' ran with output:\n reloaded nginx", fields: expect.any(Object) },
      { level: 'error', message: "Hook 'deploy-hook' ran with error output:\n warning: slow", fields: expect.any(Object) },
    ]);
  });
});

describe('LocalHooksPublisher post hook', () => {
  it('runs only for a sweep that attempted something, with the renewed and failed names', async () => {
    const { publisher } = hooks({ postHook: POST });
    await publisher.publish([sweep(0, { skipped: 4 })]);
    expect(await logged()).toEqual([]);

    await publisher.publish([issued('a.example'), issuanceFailed('d.example'), issued('b.example', { domains: ['b.example'] }), sweep(3)]);
    expect(await logged()).toEqual(['post|a.example www.a.example b.example|d.example']);
  });

  it('runs after the deploy hooks of the same call', async () => {
    const { publisher } = hooks({ deployHook: DEPLOY, postHook: POST });
    await publisher.publish([deployable('a.example'), deployable('b.example'), sweep(2)]);
    expect((await logged()).map((line) => line.split('|')[0])).toEqual(['deploy', 'deploy', 'post']);
  });

  it('does nothing without hook commands', async () => {
    const { publisher, lines } = hooks({});
    await publisher.publish([deployable('a.example'), sweep(2)]);
    await publisher.runPreHook();
    expect(lines).toEqual([]);
  });
});

describe('LocalHooksPublisher pre hook', () => {
  it('runs once per instance, however often and however concurrently it is called', async () => {
    const { publisher } = hooks({ preHook: PRE });
    await Promise.all([publisher.runPreHook(), publisher.runPreHook()]);
    await publisher.runPreHook();
    expect(await logged()).toEqual(['pre']);

    await hooks({ preHook: PRE }).publisher.runPreHook();
    expect(await logged()).toEqual(['pre', 'pre']);
  });

  it('reports its failure once, as HookFailedError', async () => {
    const { publisher } = hooks({ preHook: 'echo cannot stop server >&2; exit 4' });
    const error = await rejectionOf(publisher.runPreHook());
    expect(error).toBeInstanceOf(HookFailedError);
    expect(error).toMatchObject({ name: 'HookFailedError', hook: 'pre-hook', exitCode: 4, stderrTail: 'cannot stop server' });
    await expect(publisher.runPreHook()).resolves.toBeUndefined();
  });
});

describe('LocalHooksPublisher failures', () => {
  it('runs every other hook, then throws HookFailedError with the command, exit code and stderr tail', async () => {
    const failing = `case "$RENEWED_LINEAGE" in */b.example) echo "reload failed for $RENEWED_DOMAINS" >&2; exit 3;; esac; ${DEPLOY}`;
    const { publisher, lines } = hooks({ deployHook: failing, postHook: POST });
    const error = await rejectionOf(publisher.publish([deployable('a.example'), deployable('b.example'), deployable('c.example'), sweep(3)]));

    expect(error.name).toBe('HookFailedError');
    expect(error).toMatchObject({ hook: 'deploy-hook', command: failing, exitCode: 3, signal: null, lineage: 'b.example', stderrTail: 'reload failed for b.example www.b.example' });
    expect((error as HookFailedError).failures).toHaveLength(1);
    expect(error.message).toContain('exited with code 3');
    expect((await logged()).map((line) => line.split('|').slice(0, 2).join('|'))).toEqual([
      'deploy|/etc/acmeflow/live/a.example',
      'deploy|/etc/acmeflow/live/c.example',
      'post|',
    ]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: "Hook 'deploy-hook' reported error code 3" }));
  });

  it('lists every failed hook of the call', async () => {
    const { publisher } = hooks({ deployHook: 'exit 1', postHook: 'exit 2' });
    const error = (await rejectionOf(publisher.publish([deployable('a.example'), deployable('b.example'), sweep(2)]))) as HookFailedError;
    expect(error.failures.map((f) => [f.hook, f.lineage, f.exitCode])).toEqual([
      ['deploy-hook', 'a.example', 1],
      ['deploy-hook', 'b.example', 1],
      ['post-hook', undefined, 2],
    ]);
    expect(error.message).toMatch(/^3 hooks failed/);
  });

  it('retries a failed deploy hook when its event is published again', async () => {
    const flag = join(dir, 'ok');
    const { publisher } = hooks({ deployHook: `test -e "${flag}" && ${DEPLOY}` });
    await expect(publisher.publish([deployable('a.example')])).rejects.toMatchObject({ name: 'HookFailedError', exitCode: 1 });
    expect(await logged()).toEqual([]);
    await writeFile(flag, '');
    await publisher.publish([deployable('a.example')]);
    expect(await logged()).toHaveLength(1);
  });

  it('keeps only the tail of a long stderr', async () => {
    const { publisher } = hooks({ deployHook: 'for i in $(seq 1 100); do echo "line $i" >&2; done; exit 1' });
    const error = (await rejectionOf(publisher.publish([deployable('a.example')]))) as HookFailedError;
    expect(error.stderrTail.split('\n')).toEqual(Array.from({ length: 20 }, (_, i) => `line ${81 + i}`));
  });

  it('reports a hook killed by a signal and a shell that cannot be started', async () => {
    const killed = await rejectionOf(hooks({ deployHook: 'kill -TERM $$' }).publisher.publish([deployable('a.example')]));
    expect(killed).toMatchObject({ name: 'HookFailedError', exitCode: null, signal: 'SIGTERM' });

    const noShell = new LocalHooksPublisher({ deployHook: 'true' }, { shell: join(dir, 'no-such-shell'), logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() } });
    const error = await rejectionOf(noShell.publish([deployable('a.example')]));
    expect(error).toMatchObject({ name: 'HookFailedError', exitCode: null, signal: null });
    expect((error as HookFailedError).stderrTail).toMatch(/ENOENT/);
  });

  it('refuses invalid events and secrets before running any hook', async () => {
    const { publisher } = hooks({ deployHook: DEPLOY });
    const leaky = { detailType: 'Certificate Deployable', detail: { ...deployable().detail, privateKeyPem: PEM_PRIVATE_KEY } } as unknown as AcmeflowEvent;
    await expect(publisher.publish([deployable('a.example'), leaky])).rejects.toMatchObject({ name: 'EventContainsSecretError', index: 1 });
    const invalid = { detailType: 'Certificate Deployable', detail: { lineage: 'a.example' } } as AcmeflowEvent;
    await expect(publisher.publish([deployable('a.example'), invalid])).rejects.toMatchObject({ name: 'InvalidEventError', index: 1 });
    expect(await logged()).toEqual([]);
  });

  it('never runs two hooks at once, even across concurrent calls', async () => {
    const hook = `mkdir "${join(dir, 'lock')}" || exit 9; sleep 0.05; rmdir "${join(dir, 'lock')}"; ${DEPLOY}`;
    const { publisher } = hooks({ deployHook: hook });
    await Promise.all([publisher.publish([deployable('a.example')]), publisher.publish([deployable('b.example')]), publisher.publish([deployable('c.example')])]);
    expect(await logged()).toHaveLength(3);
  });
});

describe("LocalHooksPublisher with the lineages' own hooks (the renewal conf's pre_hook, renew_hook, post_hook)", () => {
  const own = {
    'a.example': { preHook: PRE, deployHook: 'echo "deploy-a|$RENEWED_LINEAGE" >> "$LOG"', postHook: POST },
    'b.example': { preHook: PRE, deployHook: 'echo "deploy-b" >> "$LOG"', postHook: POST },
  } as Record<string, { preHook?: string; deployHook?: string; postHook?: string }>;
  const withOwn = (options: LocalHooksPublisherOptions) => {
    const lines: string[] = [];
    const logger: HookLogger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LOG: log };
    return new LocalHooksPublisher(options, { logger, env, lineageHooks: async (lineage) => own[lineage] });
  };

  it("runs each lineage's deploy-hook for it, each distinct pre- and post-hook once per run", async () => {
    const publisher = withOwn({});
    await publisher.runPreHook('a.example');
    await publisher.runPreHook('b.example');
    await publisher.runPreHook('c.example'); // no hooks of its own
    await publisher.publish([issued('a.example'), deployable('a.example'), deployable('b.example'), sweep(2, { renewed: ['a.example', 'b.example'] })]);
    expect(await logged()).toEqual(['pre', 'deploy-a|/etc/acmeflow/live/a.example', 'deploy-b', 'post|a.example www.a.example|']);
    await expect(publisher.deployHookFor('b.example')).resolves.toBe('echo "deploy-b" >> "$LOG"');
  });

  it("lets the run's hooks win over the lineage's, as certbot's command-line hooks win over the conf", async () => {
    const publisher = withOwn({ deployHook: 'echo run-deploy >> "$LOG"', postHook: 'echo run-post >> "$LOG"' });
    await publisher.publish([deployable('a.example'), sweep(1, { renewed: ['a.example'] })]);
    expect(await logged()).toEqual(['run-deploy', 'run-post']);
    await expect(publisher.deployHookFor('a.example')).resolves.toBe('echo run-deploy >> "$LOG"');
    // A dry run owes no deploy.
    await expect(withOwn({ dryRun: true }).deployHookFor('a.example')).resolves.toBeUndefined();
  });

  it('runs no post-hook of a lineage the sweep did not attempt, and treats an unreadable lineage as having none', async () => {
    const publisher = new LocalHooksPublisher({}, { logger: { info() {}, warn() {}, error() {} }, env: { PATH: process.env['PATH'] ?? '/bin', LOG: log }, lineageHooks: async () => { throw new Error('garbled conf'); } });
    await publisher.runPreHook('a.example');
    await publisher.publish([deployable('a.example'), sweep(1, { renewed: ['a.example'] })]);
    await withOwn({}).publish([sweep(1, { renewed: ['c.example'] })]);
    expect(await logged()).toEqual([]);
  });
});
