import { hostname } from 'node:os';
/**
 * FilesystemLineageLock on real temporary directories: exclusive creation, expiry and takeover,
 * release by the holder only, and races inside one process and between processes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemLineageLock } from '../../../../shared/store/filesystem/index.js';
import type { LockHandle } from '../../../../shared/store/index.js';

let dir: string;
let clock: Date;
let lock: FilesystemLineageLock;
const lockFile = () => join(dir, 'locks', 'example.com.lock');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-fs-lock-'));
  clock = new Date('2025-06-01T00:00:00.000Z');
  lock = new FilesystemLineageLock({ configDir: dir, now: () => clock });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & Record<string, unknown>,
  );
}

describe('FilesystemLineageLock', () => {
  it('creates locks/<name>.lock holding owner, expiry, token and the holding process', async () => {
    const handle = await lock.acquire('example.com', { owner: 'run-1', leaseSeconds: 900 });
    expect(handle).toMatchObject({ lineage: 'example.com', owner: 'run-1', expiresAt: '2025-06-01T00:15:00.000Z' });
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toEqual({
      lineage: 'example.com',
      owner: 'run-1',
      expiresAt: handle.expiresAt,
      token: handle.token,
      pid: process.pid,
      host: hostname(),
    });
    expect(handle.token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a second acquire while the lease runs, naming the holder and its expiry', async () => {
    const first = await lock.acquire('example.com', { owner: 'run-1', leaseSeconds: 900 });
    clock = new Date('2025-06-01T00:14:59.000Z');
    const error = await rejection(lock.acquire('example.com', { owner: 'run-2', leaseSeconds: 900 }));
    expect(error).toMatchObject({ name: 'LineageLockedError', lineage: 'example.com', holder: 'run-1', expiresAt: first.expiresAt });
    // The same owner (the same execution retrying a step) renews its lease with a new token.
    const renewed = await lock.acquire('example.com', { owner: 'run-1', leaseSeconds: 900 });
    expect(renewed.token).not.toBe(first.token);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ owner: 'run-1', token: renewed.token });
    // Other lineages are independent.
    await lock.acquire('other.example', { owner: 'run-2', leaseSeconds: 900 });
  });

  it("takes over an expired lease; the old holder's late release then leaves the new lease alone", async () => {
    const old = await lock.acquire('example.com', { owner: 'crashed', leaseSeconds: 60 });
    clock = new Date('2025-06-01T00:01:00.001Z');
    const fresh = await lock.acquire('example.com', { owner: 'run-2', leaseSeconds: 60 });
    expect(fresh.token).not.toBe(old.token);
    await lock.release(old);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ owner: 'run-2', token: fresh.token });
    expect((await rejection(lock.acquire('example.com', { owner: 'run-3', leaseSeconds: 60 }))).holder).toBe('run-2');
  });

  it('takes over an unexpired lease whose process is gone from this host (a killed local run)', async () => {
    let alive = true;
    const watched = new FilesystemLineageLock({ configDir: dir, now: () => clock, processAlive: () => alive });
    await watched.acquire('example.com', { owner: 'killed-run', leaseSeconds: 3600 });
    await expect(watched.acquire('example.com', { owner: 'rerun', leaseSeconds: 3600 })).rejects.toMatchObject({ name: 'LineageLockedError' });
    alive = false;
    const taken = await watched.acquire('example.com', { owner: 'rerun', leaseSeconds: 3600 });
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ owner: 'rerun', token: taken.token });
  });

  it('releases only its own lease; releasing twice, or a lock that is gone, is a no-op', async () => {
    const handle = await lock.acquire('example.com', { owner: 'run-1', leaseSeconds: 60 });
    const impostor: LockHandle = { ...handle, owner: 'run-9', token: 'not-the-token' };
    await lock.release(impostor);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).token).toBe(handle.token);
    await lock.release(handle);
    await expect(readFile(lockFile())).rejects.toMatchObject({ code: 'ENOENT' });
    await lock.release(handle);
    const again = await lock.acquire('example.com', { owner: 'run-2', leaseSeconds: 60 });
    expect(again.owner).toBe('run-2');
    expect((await readdir(join(dir, 'locks'))).sort()).toEqual(['example.com.lock']); // no guard or temp file left
  });

  it('gives the lock to exactly one of many concurrent acquirers, fresh or taking over an expired lease', async () => {
    const fresh = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => lock.acquire('example.com', { owner: `r${i}`, leaseSeconds: 60 })));
    expect(fresh.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(new Set(fresh.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name))).toEqual(new Set(['LineageLockedError']));
    clock = new Date('2025-06-01T00:02:00.000Z');
    const takeovers = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => lock.acquire('example.com', { owner: `t${i}`, leaseSeconds: 60 })));
    const winners = takeovers.filter((r): r is PromiseFulfilledResult<LockHandle> => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).token).toBe(winners[0]?.value.token);
  });

  it('clears a guard left by a process that died inside its critical section', async () => {
    await lock.acquire('example.com', { owner: 'crashed', leaseSeconds: 60 });
    const guard = join(dir, 'locks', 'example.com.lock.guard');
    await writeFile(guard, '{"pid":1,"token":"dead"}\n');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(guard, longAgo, longAgo);
    clock = new Date('2025-06-01T01:00:00.000Z');
    const handle = await lock.acquire('example.com', { owner: 'run-2', leaseSeconds: 60 });
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).token).toBe(handle.token);
  });

  it('does not guess about a lock file that is not its own', async () => {
    await mkdir(join(dir, 'locks'), { recursive: true });
    await writeFile(lockFile(), '');
    const error = await rejection(lock.acquire('example.com', { owner: 'run-1', leaseSeconds: 60 }));
    expect(error).toMatchObject({ name: 'LockFileCorruptError', path: lockFile() });
    await lock.release({ lineage: 'example.com', owner: 'x', expiresAt: '', token: 'x' }); // no-op, no throw
    expect(await readFile(lockFile(), 'utf8')).toBe('');
  });

  it('refuses bad names and leases', async () => {
    expect((await rejection(lock.acquire('../x', { owner: 'o', leaseSeconds: 60 }))).name).toBe('InvalidLineageNameError');
    await expect(lock.acquire('example.com', { owner: 'o', leaseSeconds: 0 })).rejects.toThrow(RangeError);
  });

  it('gives the lock to exactly one of several processes racing for it, and again for an expired lease', async () => {
    const script = join(import.meta.dirname, 'support', 'acquire-lock.ts');
    const children = Array.from({ length: 4 }, (_, i) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, dir, 'example.com', `p${i}`], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      return { child, next: async () => (await lines.next()).value as string };
    });
    try {
      // Wait until every child has loaded, so that they all start each round at the same moment.
      expect(await Promise.all(children.map((c) => c.next()))).toEqual(Array(4).fill('ready'));
      type Outcome = { ok: boolean; owner: string; name?: string; token?: string };
      const round = async () => {
        for (const { child } of children) child.stdin.write('go\n');
        return (await Promise.all(children.map((c) => c.next()))).map((line) => JSON.parse(line) as Outcome);
      };
      const fresh = await round();
      expect(fresh.filter((r) => r.ok)).toHaveLength(1);
      expect(fresh.filter((r) => !r.ok).map((r) => r.name)).toEqual(Array(3).fill('LineageLockedError'));
      // Expire the winner's lease on disk, then race again: one process takes it over.
      const held = JSON.parse(await readFile(lockFile(), 'utf8'));
      await writeFile(lockFile(), JSON.stringify({ ...held, expiresAt: '2000-01-01T00:00:00.000Z' }));
      const takeover = await round();
      const winners = takeover.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ owner: winners[0]?.owner, token: winners[0]?.token });
    } finally {
      for (const { child } of children) child.stdin.end();
      await Promise.all(children.map(({ child }) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    }
  });
});
