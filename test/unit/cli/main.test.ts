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
