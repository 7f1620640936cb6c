import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certbotLayoutScript, LINEAGE_PARAMETER_PATTERN } from '../../infra/deploy-hooks/certbot-layout-script.js';

const probe = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
const hasPython = probe.status === 0;
const PYTHON = probe.stdout?.trim() ?? '';
const CERT = (n: string) => `-----BEGIN CERTIFICATE-----\nMII${n}\n-----END CERTIFICATE-----`;
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIkey\n-----END PRIVATE KEY-----\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'acmeflow-layout-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the document's script as SSM would: `{{ lineage }}` substituted, a fake `aws` CLI answering the
 * secret. `killAfterLink` ends python3 abruptly (`os._exit`, as a SIGKILL would) right after it renamed
 * that live link into place (a `sitecustomize` on PYTHONPATH wraps `os.replace`).
 */
function runHook(version: number, options: { killAfterLink?: string; keyLocation?: string } = {}): { calls: string; output: string } {
  const bin = path.join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  const secret = JSON.stringify({ privateKeyPem: KEY, fullchainPem: `${CERT('leaf')}\n${CERT('intermediate')}\n`, version });
  writeFileSync(path.join(dir, 'secret.json'), secret);
  writeFileSync(path.join(dir, 'fullchain.pem'), `${CERT('leaf')}\n${CERT('intermediate')}\n`);
  writeFileSync(path.join(dir, 'privkey.pem'), KEY);
  // The secret for get-secret-value; for `s3 cp` the object named by its fifth argument.
  writeFileSync(
    path.join(bin, 'aws'),
    [
      '#!/bin/sh',
      `echo "$@" >> "${dir}/aws-calls"`,
      'case "$5" in',
      `  */archive/*/fullchain.pem) cat "${dir}/fullchain.pem" ;;`,
      `  */keys/*/privkey.pem) cat "${dir}/privkey.pem" ;;`,
      `  *) cat "${dir}/secret.json" ;;`,
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(path.join(bin, 'aws'), 0o755);
  // The real interpreter, so that a version manager's python3 shim cannot put its own `aws` first on PATH.
  if (!existsSync(path.join(bin, 'python3'))) symlinkSync(PYTHON, path.join(bin, 'python3'));
  const lines = certbotLayoutScript({
    secretPrefix: 'acmeflow/',
    bucket: 'acmeflow-certs',
    configDir: path.join(dir, 'letsencrypt'),
    region: 'ap-northeast-1',
    reloadCommand: `echo reloaded >> "${dir}/reloads"`,
  });
  const script = lines
    .join('\n')
    .replaceAll('{{ lineage }}', 'example.jp')
    .replaceAll('{{ version }}', `v${version}`)
    .replaceAll('{{ keyLocation }}', options.keyLocation ?? 'acmeflow/cert/example.jp');
  const site = path.join(dir, 'site');
  execFileSync('mkdir', ['-p', site]);
  writeFileSync(
    path.join(site, 'sitecustomize.py'),
    [
      'import os',
      '_replace = os.replace',
      'def replace(src, dst, *args, **kwargs):',
      '    _replace(src, dst, *args, **kwargs)',
      '    kill = os.environ.get("KILL_AFTER_LINK")',
      '    if kill and dst.endswith(os.sep + "live" + os.sep + "example.jp" + os.sep + kill):',
      '        os._exit(137)',
      'os.replace = replace',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, PYTHONPATH: site, ...(options.killAfterLink ? { KILL_AFTER_LINK: options.killAfterLink } : {}) };
  const output = execFileSync('bash', ['-c', script], { env, stdio: 'pipe', encoding: 'utf8' });
  return { calls: readFileSync(path.join(dir, 'aws-calls'), 'utf8'), output };
}

describe('SSM deploy hook script', () => {
  it.skipIf(!hasPython)("writes certbot's layout from the secret and reloads", () => {
    const { calls } = runHook(1);
    expect(calls.trim()).toBe('secretsmanager get-secret-value --region ap-northeast-1 --secret-id acmeflow/cert/example.jp --query SecretString --output text');
    const live = path.join(dir, 'letsencrypt/live/example.jp');
    expect(readlinkSync(path.join(live, 'cert.pem'))).toBe('../../archive/example.jp/cert1.pem');
    expect(readFileSync(path.join(live, 'cert.pem'), 'utf8')).toBe(`${CERT('leaf')}\n`);
    expect(readFileSync(path.join(live, 'chain.pem'), 'utf8')).toBe(`${CERT('intermediate')}\n`);
    expect(readFileSync(path.join(live, 'fullchain.pem'), 'utf8')).toBe(`${CERT('leaf')}\n${CERT('intermediate')}\n`);
    expect(readFileSync(path.join(live, 'privkey.pem'), 'utf8')).toBe(KEY);
    expect(statSync(path.join(dir, 'letsencrypt/archive/example.jp/privkey1.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'reloads'), 'utf8')).toBe('reloaded\n');
  });

  it.skipIf(!hasPython)('switches live/ to the next version and keeps the previous one in archive/', () => {
    runHook(2);
    const live = path.join(dir, 'letsencrypt/live/example.jp');
    expect(lstatSync(path.join(live, 'privkey.pem')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(live, 'privkey.pem'))).toBe('../../archive/example.jp/privkey2.pem');
    expect(statSync(path.join(dir, 'letsencrypt/archive/example.jp/cert1.pem')).isFile()).toBe(true);
    expect(readFileSync(path.join(dir, 'reloads'), 'utf8')).toBe('reloaded\nreloaded\n');
  });

  it.skipIf(!hasPython)('leaves certbot\'s journal naming the old pair when killed between two link renames, and the next run puts live/ together', () => {
    const live = path.join(dir, 'letsencrypt/live/example.jp');
    const links = () => Object.fromEntries(['cert', 'privkey', 'chain', 'fullchain'].map((k) => [k, readlinkSync(path.join(live, `${k}.pem`))]));
    expect(() => runHook(3, { killAfterLink: 'privkey.pem' })).toThrow();
    // Mixed on disk: cert and privkey on 3, chain and fullchain on 2 — and the journal says so.
    expect(links()).toEqual({
      cert: '../../archive/example.jp/cert3.pem',
      privkey: '../../archive/example.jp/privkey3.pem',
      chain: '../../archive/example.jp/chain2.pem',
      fullchain: '../../archive/example.jp/fullchain2.pem',
    });
    for (const k of ['cert', 'privkey', 'chain', 'fullchain']) {
      expect(readlinkSync(path.join(live, `previous_${k}.pem`)), k).toBe(`../../archive/example.jp/${k}2.pem`);
    }
    expect(readFileSync(path.join(dir, 'reloads'), 'utf8')).toBe('reloaded\nreloaded\n'); // no reload of a mixed pair

    // The next run first puts back the old pair the journal names (as certbot's _fix_symlinks would), then switches.
    expect(runHook(3).output).toContain('live/example.jp/ was left between two versions; put back the pair its journal names');
    expect(links()).toEqual({
      cert: '../../archive/example.jp/cert3.pem',
      privkey: '../../archive/example.jp/privkey3.pem',
      chain: '../../archive/example.jp/chain3.pem',
      fullchain: '../../archive/example.jp/fullchain3.pem',
    });
    for (const k of ['cert', 'privkey', 'chain', 'fullchain']) expect(existsSync(path.join(live, `previous_${k}.pem`)), k).toBe(false);
    expect(readdirSync(live).filter((f) => f.includes('acmeflow-tmp'))).toEqual([]);
  });

  it.skipIf(!hasPython)('a run for the version already linked leaves the links as they are', () => {
    const live = path.join(dir, 'letsencrypt/live/example.jp');
    const before = lstatSync(path.join(live, 'cert.pem')).ino;
    runHook(3);
    expect(lstatSync(path.join(live, 'cert.pem')).ino).toBe(before);
  });

  it.skipIf(!hasPython)('reads the version the event names from S3 when the lineage keeps its key there', () => {
    rmSync(path.join(dir, 'aws-calls'), { force: true });
    runHook(7, { keyLocation: 's3://acmeflow-certs/keys/example.jp/' });
    expect(readFileSync(path.join(dir, 'aws-calls'), 'utf8').trim().split('\n')).toEqual([
      's3 cp --region ap-northeast-1 s3://acmeflow-certs/archive/example.jp/7/fullchain.pem -',
      's3 cp --region ap-northeast-1 s3://acmeflow-certs/keys/example.jp/7/privkey.pem -',
    ]);
    const live = path.join(dir, 'letsencrypt/live/example.jp');
    expect(readlinkSync(path.join(live, 'privkey.pem'))).toBe('../../archive/example.jp/privkey7.pem');
    expect(readFileSync(path.join(live, 'privkey.pem'), 'utf8')).toBe(KEY);
    expect(readFileSync(path.join(live, 'chain.pem'), 'utf8')).toBe(`${CERT('intermediate')}\n`);
    expect(statSync(path.join(dir, 'letsencrypt/archive/example.jp/privkey7.pem')).mode & 0o777).toBe(0o600);
  });

  it('accepts only certbot lineage names as the document parameter', () => {
    const pattern = new RegExp(LINEAGE_PARAMETER_PATTERN);
    expect(pattern.test('www.example.jp')).toBe(true);
    for (const bad of ["a'; rm -rf /", '../etc', '-x', 'a b']) expect(pattern.test(bad), bad).toBe(false);
  });

  it('refuses settings that would break out of their quotes', () => {
    expect(() => certbotLayoutScript({ secretPrefix: 'acmeflow/', bucket: 'b', configDir: "/etc/x'y", region: 'us-east-1', reloadCommand: 'true' })).toThrow(/configDir/);
    expect(() => certbotLayoutScript({ secretPrefix: 'acmeflow/', bucket: 'b', configDir: '/etc/letsencrypt', region: 'us-east-1', reloadCommand: 'a\nb' })).toThrow(/one non-empty line/);
  });
});
