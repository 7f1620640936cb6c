import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../../cli/main.js';

function io(env: Record<string, string> = {}): CliIo & { out: string; err: string } {
  const state = { out: '', err: '' };
  return Object.assign(state, {
    env,
    stdout: { write: (s: string) => (state.out += s) },
    stderr: { write: (s: string) => (state.err += s) },
  });
}

describe('acmeflow explain', () => {
  it('explains in English by default and in Japanese under LANG=ja_JP.UTF-8', async () => {
    const en = io();
    expect(await main(['explain', 'externalAccountRequired'], en)).toBe(0);
    expect(en.out).toMatch(/^externalAccountRequired: .*EAB/);
    const ja = io({ LANG: 'ja_JP.UTF-8' });
    expect(await main(['explain', 'urn:ietf:params:acme:error:externalAccountRequired'], ja)).toBe(0);
    expect(ja.out).toContain('外部アカウントバインディング（EAB）が必須です');
  });

  it('exits 1 for an unknown type and 2 for bad usage', async () => {
    expect(await main(['explain', 'noSuchType'], io())).toBe(1);
    const bad = io();
    expect(await main(['explain'], bad)).toBe(2);
    expect(bad.err).toContain('exactly one problem type');
    expect(await main(['frobnicate'], io())).toBe(2);
  });

  it('answers --help with its usage and exit 0', async () => {
    const help = io();
    expect(await main(['explain', '--help'], help)).toBe(0);
    expect(help.out).toContain('Usage: acmeflow explain TYPE');
    expect(help.err).toBe('');
  });

  it('explains the errors acmeflow stops with, by name: from the catalog, else pointing at the message', async () => {
    const tsig = io();
    expect(await main(['explain', 'Rfc2136TsigError'], tsig)).toBe(0);
    expect(tsig.out).toMatch(/^Rfc2136TsigError: .*TSIG key/);
    const ja = io({ LANG: 'ja_JP.UTF-8' });
    expect(await main(['explain', 'CloudAccessError'], ja)).toBe(0);
    expect(ja.out).toContain('認証情報');
    const other = io();
    expect(await main(['explain', 'LineageConflictError'], other)).toBe(0);
    expect(other.out).toContain('acmeflow stopped with LineageConflictError: the message above names what failed');
  });

  it('refuses Node older than 22 with one line and exit 1, before loading anything (/usr/bin/node is Node 20 here)', async () => {
    const node20 = await promisify(execFile)('/usr/bin/node', ['--version']).then((r) => r.stdout.trim(), () => undefined);
    if (!node20 || Number(node20.slice(1).split('.')[0]) >= 22) return;
    const run = await promisify(execFile)('/usr/bin/node', ['bin/acmeflow.mjs', 'certificates', '--config-dir', '/nonexistent'], { cwd: process.cwd() }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`acmeflow needs Node.js 22 or later; /usr/bin/node is Node ${node20.slice(1)}. Run it with Node 22 (npx acmeflow uses the project's node@22).\n`);
  });

  it('runs as `npx acmeflow` from the repository root', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'acmeflow', '--version'], { cwd: process.cwd() });
    expect(stdout.trim()).toBe('acmeflow 0.1.0');
  }, 30_000);
});

describe('--json on every verb', () => {
  it('prints one JSON document on stdout for every verb, a refused one and explain included', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'acmeflow-json-'));
    const cases: [string[], number][] = [
      [['register', '--server', 'https://acme.test/directory', '--json'], 2], // no --agree-tos: refused before any request
      [['certonly', '--dns', 'route53', '--json', '--config-dir', configDir], 2], // no -d
      [['renew', '--cert-name', 'nosuch.example', '--json', '--config-dir', configDir], 2],
      [['revoke', '--cert-name', 'nosuch.example', '--json', '--config-dir', configDir], 2],
      [['certificates', '--json', '--config-dir', configDir], 0],
      [['explain', 'rateLimited', '--json'], 0],
      [['explain', '--json'], 2],
    ];
    for (const [argv, code] of cases) {
      const run = io({ HOME: configDir });
      expect(await main(argv, run), argv.join(' ')).toBe(code);
      const document = JSON.parse(run.out) as Record<string, unknown>;
      expect(typeof document, argv.join(' ')).toBe('object');
      if (code !== 0) expect(document, argv.join(' ')).toMatchObject({ error: { name: expect.any(String), message: expect.any(String) }, exitCode: code });
    }
    await rm(configDir, { recursive: true, force: true });
  });
});
