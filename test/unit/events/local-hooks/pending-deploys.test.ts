import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PendingDeploys } from '../../../../shared/events/local-hooks/index.js';
import { issuedDetail } from '../fixtures.js';

let configDir: string;
beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'acmeflow-pending-'));
});
afterEach(() => rm(configDir, { recursive: true, force: true }));

const root = () => join(configDir, 'deploys', 'pending');
const record = (lineage: string, version = 2, dueAt = '2025-01-01T00:10:00.000Z') => ({ issued: issuedDetail(lineage, { version }), deployHook: 'systemctl reload nginx', dueAt });

describe('PendingDeploys', () => {
  it('keeps a deploy owed by a process that died, for the next run to claim once; a live owner keeps its own', async () => {
    const alive = new Set([111, 222, 333]);
    const processAlive = (pid: number) => alive.has(pid);
    await new PendingDeploys({ configDir, pid: 111, processAlive }).add(record('dead.example'));
    await new PendingDeploys({ configDir, pid: 333, processAlive }).add(record('running.example'));
    alive.delete(111); // the first process was killed inside its delay

    const next = new PendingDeploys({ configDir, pid: 222, processAlive });
    const { claimed } = await next.claimOrphans();
    expect(claimed).toEqual([record('dead.example')]);
    // A second claimer finds nothing: the rename moved the record to the first, which runs.
    expect((await new PendingDeploys({ configDir, pid: 444, processAlive }).claimOrphans()).claimed).toEqual([]);
    await next.remove(record('dead.example').issued);
    expect((await readdir(root())).sort()).toEqual(['running.example@2.333.json']);
  });

  it('is idempotent per lineage version, private, and survives a missing directory', async () => {
    const pending = new PendingDeploys({ configDir, pid: 111, processAlive: () => true });
    expect(await pending.claimOrphans()).toEqual({ claimed: [], unreadable: [] });
    await pending.add(record('a.example'));
    await pending.add(record('a.example'));
    expect(await readdir(root())).toEqual(['a.example@2.111.json']);
    expect((await stat(join(root(), 'a.example@2.111.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(root())).mode & 0o777).toBe(0o700);
    // Its own records are its to deliver, oldest due first.
    await pending.add(record('b.example', 5, '2025-01-01T00:05:00.000Z'));
    expect((await pending.claimOrphans()).claimed.map((r) => r.issued.lineage)).toEqual(['b.example', 'a.example']);
  });

  it('leaves a file it cannot read as a record where it is, and names it', async () => {
    const pending = new PendingDeploys({ configDir, pid: 111, processAlive: () => false });
    await pending.add(record('a.example'));
    await writeFile(join(root(), 'b.example@3.999.json'), '{"half":');
    const { claimed, unreadable } = await pending.claimOrphans();
    expect(claimed.map((r) => r.issued.lineage)).toEqual(['a.example']);
    expect(unreadable).toEqual([join(root(), 'b.example@3.111.json')]);
  });

  it('refuses an event with key material before writing anything', async () => {
    const pending = new PendingDeploys({ configDir, pid: 111 });
    const bad = { ...record('a.example'), issued: issuedDetail('a.example', { location: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----' }) };
    await expect(pending.add(bad)).rejects.toMatchObject({ name: 'EventContainsSecretError' });
    await expect(readdir(root())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
