import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certbotLayoutScript, LINEAGE_PARAMETER_PATTERN, reloadPendingFile, VERSION_PARAMETER_PATTERN } from '../../infra/deploy-hooks/certbot-layout-script.js';

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

/** Every entry under a directory: link targets, file contents, modes and inodes (a rewrite changes the inode). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      const st = lstatSync(full);
      const rel = path.relative(root, full);
      if (st.isSymbolicLink()) out[rel] = `-> ${readlinkSync(full)}`;
      else if (st.isDirectory()) walk(full);
      else out[rel] = `${st.ino} ${(st.mode & 0o777).toString(8)} ${readFileSync(full, 'utf8')}`;
    }
  };
  walk(root);
  return out;
}

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

  it.skipIf(!hasPython)("leaves certbot's journal naming the old pair when killed between two link renames, and the next run puts live/ together", () => {
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

  it.skipIf(!hasPython)('a run for the version already linked changes nothing and does not reload', () => {
    const config = path.join(dir, 'letsencrypt');
    const reloads = readFileSync(path.join(dir, 'reloads'), 'utf8');
    const before = snapshot(config);
    expect(runHook(3).output).toContain('example.jp version 3 is already in');
    expect(snapshot(config)).toEqual(before);
    expect(readFileSync(path.join(dir, 'reloads'), 'utf8')).toBe(reloads);
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

  it('accepts only certbot lineage names (or * for every lineage of the hook) and v<n> or current as the document parameters', () => {
    const pattern = new RegExp(LINEAGE_PARAMETER_PATTERN);
    expect(pattern.test('www.example.jp')).toBe(true);
    expect(pattern.test('*')).toBe(true);
    for (const bad of ["a'; rm -rf /", '../etc', '-x', 'a b', '*.example.jp', '**']) expect(pattern.test(bad), bad).toBe(false);
    const version = new RegExp(VERSION_PARAMETER_PATTERN);
    for (const good of ['v1', 'v42', 'current']) expect(version.test(good), good).toBe(true);
    for (const bad of ['v0', '3', 'current; true', 'latest']) expect(version.test(bad), bad).toBe(false);
  });

  it('refuses settings that would break out of their quotes', () => {
    expect(() => certbotLayoutScript({ secretPrefix: 'acmeflow/', bucket: 'b', configDir: "/etc/x'y", region: 'us-east-1', reloadCommand: 'true' })).toThrow(/configDir/);
    expect(() => certbotLayoutScript({ secretPrefix: 'acmeflow/', bucket: 'b', configDir: '/etc/letsencrypt', region: 'us-east-1', reloadCommand: 'a\nb' })).toThrow(
      /one non-empty line/,
    );
  });
});

/**
 * The State Manager association's runs (`lineage` = `*`, `version` = `current`) against a fake `aws`
 * serving a directory as the bucket (`s3 cp`, `s3api list-objects-v2`) and another as the secrets.
 */
describe('SSM deploy hook script, run by the State Manager association', () => {
  let root: string;
  let config: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'acmeflow-reconcile-'));
    config = path.join(root, 'letsencrypt');
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, 'aws'),
      [
        '#!/bin/sh',
        `echo "$@" >> "${root}/aws-calls"`,
        'case "$1" in',
        `  s3) key="\${5#s3://acmeflow-certs/}"; if [ -f "${root}/bucket/$key" ]; then cat "${root}/bucket/$key"; else echo "An error occurred (404) when calling the HeadObject operation: Key \\"$key\\" does not exist" >&2; exit 1; fi ;;`,
        `  s3api) cd "${root}/bucket" && ls renewal/*.json | tr '\\n' '\\t'; echo ;;`,
        `  secretsmanager) cat "${root}/secrets/$6.json" ;;`,
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(path.join(bin, 'aws'), 0o755);
    symlinkSync(PYTHON, path.join(bin, 'python3'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const put = (key: string, body: string) => {
    mkdirSync(path.dirname(path.join(root, 'bucket', key)), { recursive: true });
    writeFileSync(path.join(root, 'bucket', key), body);
  };
  /** A lineage as the issuer stores it: renewal/<name>.json, the version's chain and, for S3, its key. */
  const store = (name: string, version: number, options: { keyStore?: 'secretsManager'; issuedAt?: string; deployDelaySeconds?: number; revoked?: boolean } = {}) => {
    const fullchain = `${CERT(`${name}-${version}`)}\n${CERT('intermediate')}\n`;
    put(
      `renewal/${name}.json`,
      JSON.stringify({
        spec: { name, deployDelaySeconds: options.deployDelaySeconds ?? 0, ...(options.keyStore ? { keyStore: options.keyStore } : {}) },
        state: {
          currentVersion: version,
          issuedAt: options.issuedAt ?? '2026-01-01T00:00:00.000Z',
          current: { serialHex: `0${version}` },
          ...(options.revoked ? { revoked: { at: '2026-01-02T00:00:00Z', reason: 'keyCompromise', serialHex: `0${version}` } } : {}),
        },
      }),
    );
    put(`archive/${name}/${version}/fullchain.pem`, fullchain);
    if (options.keyStore === 'secretsManager') {
      mkdirSync(path.join(root, 'secrets/acmeflow/cert'), { recursive: true });
      writeFileSync(path.join(root, `secrets/acmeflow/cert/${name}.json`), JSON.stringify({ privateKeyPem: KEY, fullchainPem: fullchain, version }));
    } else {
      put(`keys/${name}/${version}/privkey.pem`, KEY);
    }
  };
  /** The reload: appends to reloads, or fails while the file `broken` exists (a server whose config does not load). */
  const reloadCommand = (name = 'reloads') => `if [ -e "${root}/broken" ]; then false; else echo reloaded >> "${root}/${name}"; fi`;
  const owed = (options: { reloadCommand?: string; lineages?: string[] } = {}) =>
    existsSync(path.join(config, reloadPendingFile({ reloadCommand: options.reloadCommand ?? reloadCommand(), ...(options.lineages ? { lineages: options.lineages } : {}) })));
  const reconcile = (options: { lineages?: string[]; reloadCommand?: string } = {}) => {
    rmSync(path.join(root, 'aws-calls'), { force: true });
    const script = certbotLayoutScript({
      secretPrefix: 'acmeflow/',
      bucket: 'acmeflow-certs',
      configDir: config,
      region: 'ap-northeast-1',
      reloadCommand: options.reloadCommand ?? reloadCommand(),
      ...(options.lineages ? { lineages: options.lineages } : {}),
    })
      .join('\n')
      .replaceAll('{{ lineage }}', '*')
      .replaceAll('{{ version }}', 'current')
      .replaceAll('{{ keyLocation }}', 'current');
    const run = spawnSync('bash', ['-c', script], { env: { ...process.env, PATH: `${path.join(root, 'bin')}:${process.env.PATH}` }, encoding: 'utf8' });
    const read = (file: string) => (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), 'utf8') : '');
    return { status: run.status, output: run.stdout, errors: run.stderr, calls: read('aws-calls').trim().split('\n'), reloads: read('reloads').split('\n').filter(Boolean).length };
  };
  const linkOf = (name: string, kind = 'privkey') => readlinkSync(path.join(config, 'live', name, `${kind}.pem`));

  it.skipIf(!hasPython)("brings a new instance to each lineage's current version, from S3 or Secrets Manager, and reloads once", () => {
    store('example.jp', 4);
    store('example.com', 2, { keyStore: 'secretsManager' });
    const run = reconcile();
    expect(run.status).toBe(0);
    expect(linkOf('example.jp')).toBe('../../archive/example.jp/privkey4.pem');
    expect(readFileSync(path.join(config, 'live/example.jp/cert.pem'), 'utf8')).toBe(`${CERT('example.jp-4')}\n`);
    expect(linkOf('example.com', 'fullchain')).toBe('../../archive/example.com/fullchain2.pem');
    expect(readFileSync(path.join(config, 'live/example.com/privkey.pem'), 'utf8')).toBe(KEY);
    // Every lineage in the bucket (the hook has no list): renewal/ listed, then each read.
    expect(run.calls[0]).toBe('s3api list-objects-v2 --region ap-northeast-1 --bucket acmeflow-certs --prefix renewal/ --query Contents[].Key --output text');
    expect(run.calls).toContain('secretsmanager get-secret-value --region ap-northeast-1 --secret-id acmeflow/cert/example.com --query SecretString --output text');
    expect(run.calls).toContain('s3 cp --region ap-northeast-1 s3://acmeflow-certs/keys/example.jp/4/privkey.pem -');
    expect(run.reloads).toBe(1);
    expect(owed()).toBe(false);
  });

  it.skipIf(!hasPython)('run again on an instance that is current: nothing changes and the server is not reloaded', () => {
    const before = snapshot(config);
    const run = reconcile();
    expect(run.status).toBe(0);
    expect(snapshot(config)).toEqual(before);
    expect(run.reloads).toBe(1);
    expect(run.output).toContain('example.jp version 4 is already in');
  });

  it.skipIf(!hasPython)('holds back a version inside its deploy delay, a revoked one, and a lineage not issued yet', () => {
    store('example.jp', 5, { issuedAt: new Date(Date.now() - 60_000).toISOString(), deployDelaySeconds: 600 });
    store('revoked.example', 1, { revoked: true });
    put('renewal/new.example.json', JSON.stringify({ spec: { name: 'new.example' }, state: { currentVersion: 0 } }));
    const run = reconcile();
    expect(run.status).toBe(0);
    expect(linkOf('example.jp')).toBe('../../archive/example.jp/privkey4.pem');
    expect(run.output).toContain('example.jp left as it is: version 5 is inside its deploy delay');
    expect(run.output).toContain('revoked.example left as it is: version 1 was revoked');
    expect(run.output).toContain('new.example left as it is: no certificate issued yet');
    expect(existsSync(path.join(config, 'live/revoked.example'))).toBe(false);
    expect(run.reloads).toBe(1);

    // Once the delay has passed, the next run deploys it.
    store('example.jp', 5, { issuedAt: new Date(Date.now() - 601_000).toISOString(), deployDelaySeconds: 600 });
    expect(reconcile().reloads).toBe(2);
    expect(linkOf('example.jp')).toBe('../../archive/example.jp/privkey5.pem');
  });

  it.skipIf(!hasPython)('a reload that failed is done by the next run, though the files are current by then', () => {
    store('example.jp', 6);
    writeFileSync(path.join(root, 'broken'), '');
    const failed = reconcile();
    expect(failed.status).not.toBe(0);
    expect(linkOf('example.jp')).toBe('../../archive/example.jp/privkey6.pem');
    expect(owed()).toBe(true);
    rmSync(path.join(root, 'broken'));
    const next = reconcile();
    expect(next.status).toBe(0);
    expect(next.reloads).toBe(3);
    expect(owed()).toBe(false);
    expect(reconcile().reloads).toBe(3);
  });

  it.skipIf(!hasPython)("another hook on the same instance (its own lineages, its own reload) does not take this hook's owed reload", () => {
    store('mail.example.jp', 1);
    store('example.jp', 7);
    const mine = { lineages: ['example.jp'] };
    const other = { lineages: ['mail.example.jp'], reloadCommand: reloadCommand('other-reloads') };
    writeFileSync(path.join(root, 'broken'), '');
    expect(reconcile(mine).status).not.toBe(0);
    rmSync(path.join(root, 'broken'));
    expect(reconcile(other).status).toBe(0);
    expect(readFileSync(path.join(root, 'other-reloads'), 'utf8')).toBe('reloaded\n');
    expect(owed(mine)).toBe(true);
    expect(owed(other)).toBe(false);
    expect(reconcile(mine).reloads).toBe(4);
    expect(owed(mine)).toBe(false);
  });

  it.skipIf(!hasPython)("reads only the hook's lineages when it has a list, and fails (status 3) for one it cannot read while writing the others", () => {
    store('example.org', 1);
    const run = reconcile({ lineages: ['example.org', 'missing.example'] });
    expect(run.status).toBe(3);
    expect(run.calls.some((c) => c.startsWith('s3api'))).toBe(false);
    expect(run.calls.some((c) => c.includes('example.jp'))).toBe(false);
    expect(linkOf('example.org')).toBe('../../archive/example.org/privkey1.pem');
    expect(run.errors).toContain('missing.example could not be written');
    expect(run.reloads).toBe(5);
  });

  it('refuses a lineage list entry that is not a lineage name', () => {
    expect(() => certbotLayoutScript({ secretPrefix: 'a/', bucket: 'b', configDir: '/etc/letsencrypt', region: 'us-east-1', reloadCommand: 'true', lineages: ['*'] })).toThrow(
      /lineages/,
    );
    expect(() => certbotLayoutScript({ secretPrefix: 'a/', bucket: 'b', configDir: '/etc/letsencrypt', region: 'us-east-1', reloadCommand: 'true', lineages: ["a'b"] })).toThrow(
      /lineages/,
    );
  });
});
