/**
 * Probes of the command's edge (issue 16 items 7 and 13), through the real `acmeflow` command in
 * process against Pebble. Each case failed before its fix:
 *
 * - item 7, input caught late or with the wrong status: a `--dns-resolver` that is no address, a
 *   `--cert-name` with `..`, a `--config-dir` that is a file, a lineage name over 128 characters, a
 *   name whose `_acme-challenge.` form is over 253 characters. Each is a usage error: exit 2, a
 *   message naming the flag and the fix, no request to the CA and nothing written;
 * - item 13, EAB keys as CAs hand them out: the HMAC key in base64url or standard base64, padded or
 *   not, with HS256, HS384 and HS512, registers with Pebble (which checks the MAC); a key that is
 *   neither is refused before any request, explained, and never echoed.
 */
import 'reflect-metadata';
import { lstat, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDirectoryCache, EAB_ALGORITHMS } from '../../shared/acme/index.js';
import { startPebble, type PebbleHandle } from '../../harness/pebble.js';
import { CliRunner, type CliRun } from './support/cli-process.js';
import { ReportSection } from './support/report.js';
import { reportHygiene, SecretLedger } from './support/secret-scan.js';

const report = new ReportSection('probes-input');
const hygiene = new SecretLedger();

/** 32 bytes whose base64url holds `-` and `_` (so its standard base64 holds `+` and `/`). */
const ODD_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => [0xfb, 0xff, 0xbe, 0x3f][i % 4] as number));
const ODD_KID = 'kid-odd-alphabet';
/** A fake TSIG secret for the rfc2136 credentials file: nothing may ever be sent with it. */
const TSIG_SECRET = Buffer.alloc(32, 7).toString('base64');

let pebble: PebbleHandle;
let work: string;
let credentials: string;
let cli: CliRunner;

interface ProbeRun extends CliRun {
  /** Requests the command sent to the CA. */
  readonly requests: number;
}

async function run(args: readonly string[]): Promise<ProbeRun> {
  let requests = 0;
  clearDirectoryCache();
  const result = await cli.run(args, {
    waitScale: 0.01,
    fetch: (url: string, init?: RequestInit) => {
      requests++;
      return pebble.fetch(url, init);
    },
  });
  return { ...result, requests };
}

beforeAll(async () => {
  pebble = await startPebble({ extraEab: { [ODD_KID]: ODD_KEY.toString('base64url') } });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-probes-input-'));
  credentials = join(work, 'rfc2136.ini');
  // Points at a port where nothing listens: a case that got as far as publishing a record would fail there.
  await writeFile(
    credentials,
    `dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = 9\ndns_rfc2136_name = acmeflow.\ndns_rfc2136_secret = ${TSIG_SECRET}\ndns_rfc2136_algorithm = HMAC-SHA256\n`,
    { mode: 0o600 },
  );
  hygiene.secret('EAB HMAC key', pebble.eab.hmacKey);
  hygiene.secret('EAB HMAC key (odd alphabet)', ODD_KEY.toString('base64url'));
  hygiene.secret('EAB HMAC key (odd alphabet, standard base64)', ODD_KEY.toString('base64').replace(/=+$/, ''));
  hygiene.secret('TSIG secret', TSIG_SECRET);
  hygiene.secretFile(credentials);
  hygiene.dir(work);
  cli = new CliRunner({ home: work });
}, 60_000);

afterAll(async () => {
  report.write();
  await pebble?.stop();
});

const dnsFlags = () => ['--dns', 'rfc2136', '--dns-rfc2136-credentials', credentials];
const caFlags = () => ['--server', pebble.directoryUrl, '--agree-tos', '--eab-kid', pebble.eab.kid, '--eab-hmac-key', pebble.eab.hmacKey];
const label = (n: number, c: string) => c.repeat(n);
/** 142 characters: a fine domain, too long to name a lineage after. */
const NAME_142 = `${label(63, 'a')}.${label(63, 'b')}.c.example.test`;
/** 240 characters: within DNS's 253, but `_acme-challenge.` makes it 256. */
const NAME_240 = `${label(63, 'a')}.${label(63, 'b')}.${label(63, 'c')}.${label(35, 'd')}.example.test`;
/** `*.` and 238 characters: the challenge name (of the base name) has 254. */
const WILDCARD_240 = `*.${label(63, 'a')}.${label(63, 'b')}.${label(63, 'c')}.${label(33, 'd')}.example.test`;

interface EdgeCase {
  readonly input: string;
  /** The command line, given a config dir that does not exist yet. */
  readonly args: (dir: string) => string[];
  /** What the message must say: the flag, the problem and the fix. */
  readonly says: readonly RegExp[];
  /** What it must not say (a misleading reason). */
  readonly notSays?: RegExp;
  /** The config dir to use instead of a fresh one (it must stay as it is). */
  readonly dir?: () => Promise<string>;
}

const fileAsDir = async () => {
  const path = join(work, 'a-file');
  await writeFile(path, 'not a directory\n');
  return path;
};

const ITEM_7: readonly EdgeCase[] = [
  {
    input: 'certonly `--dns-resolver "1.2.3.4;x"`',
    args: (d) => ['certonly', '-d', 'r.example.test', ...dnsFlags(), '--dns-resolver', '1.2.3.4;x', ...caFlags(), '--config-dir', d],
    says: [/--dns-resolver 1\.2\.3\.4;x/, /host:port/],
  },
  {
    input: 'renew `--dns-resolver "ns1.example.test:99999"`',
    args: (d) => ['renew', '--dns-resolver', 'ns1.example.test:99999', '--config-dir', d],
    says: [/--dns-resolver ns1\.example\.test:99999/, /port/],
  },
  {
    input: 'certonly `--cert-name a..b`',
    args: (d) => ['certonly', '-d', 'c.example.test', '--cert-name', 'a..b', ...dnsFlags(), ...caFlags(), '--config-dir', d],
    says: [/--cert-name a\.\.b/, /two dots/],
  },
  {
    input: 'certonly `--config-dir` that is a file',
    args: (d) => ['certonly', '-d', 'f.example.test', ...dnsFlags(), ...caFlags(), '--config-dir', d],
    dir: fileAsDir,
    says: [/--config-dir .*a-file/, /is a file, not a directory/],
    notSays: /ENOTDIR/,
  },
  {
    input: 'certificates `--config-dir` below a file (`a-file/sub`)',
    args: (d) => ['certificates', '--config-dir', d],
    dir: async () => join(await fileAsDir(), 'sub'),
    says: [/--config-dir .*a-file\/sub/, /a-file is a file, not a directory/],
    notSays: /ENOTDIR/,
  },
  {
    input: '`--cert-name` of 129 letters',
    args: (d) => ['certonly', '-d', 'n.example.test', '--cert-name', label(129, 'n'), ...dnsFlags(), ...caFlags(), '--config-dir', d],
    says: [/--cert-name/, /129 characters/, /at most 128/],
    notSays: /use letters, digits/,
  },
  {
    input: '`-d` a 142-character name without `--cert-name`',
    args: (d) => ['certonly', '-d', NAME_142, ...dnsFlags(), ...caFlags(), '--config-dir', d],
    says: [/142 characters/, /at most 128/, /--cert-name/],
  },
  {
    input: '`-d` a 240-character name (its `_acme-challenge.` name has 256)',
    args: (d) => ['certonly', '-d', NAME_240, '--cert-name', 'long', ...dnsFlags(), ...caFlags(), '--config-dir', d],
    says: [/_acme-challenge\./, /256 characters/, /253/],
  },
  {
    input: '`-d` a 240-character wildcard name (`*.` + 238)',
    args: (d) => ['certonly', '-d', WILDCARD_240, '--cert-name', 'long', ...dnsFlags(), ...caFlags(), '--config-dir', d],
    says: [/_acme-challenge\./, /254 characters/, /253/],
  },
];

/** What a config dir looks like: absent, or its type (a case's dir is never written to). */
async function state(dir: string): Promise<string> {
  const info = await lstat(dir).catch(() => undefined);
  return info === undefined ? 'absent' : info.isDirectory() ? 'directory' : `file of ${info.size} bytes`;
}

describe('item 7: input errors are usage errors, before any network call', () => {
  let n = 0;
  for (const c of ITEM_7) {
    it(c.input, async () => {
      const dir = c.dir ? await c.dir() : join(work, `edge-${n++}`);
      const before = await state(dir);
      const r = await run(c.args(dir));
      const after = await state(dir);
      const message = `${r.stderr}${r.stdout}`.trim();
      const problems = [
        ...(r.code === 2 ? [] : [`exit ${r.code}`]),
        ...(r.requests === 0 ? [] : [`${r.requests} requests sent to the CA`]),
        ...c.says.filter((re) => !re.test(message)).map((re) => `the message does not say ${re}`),
        ...(c.notSays?.test(message) ? [`the message says ${c.notSays}`] : []),
        ...(before === after ? [] : [`the config dir went from ${before} to ${after}`]),
      ];
      report.add({
        fault: `item 7: ${c.input}`,
        runs: 1,
        outcome: `exit ${r.code}, ${r.requests} requests: “${message.split('\n')[0]?.slice(0, 160)}”`,
        lost: problems.length === 0 ? 'nothing (nothing sent, nothing written)' : `${problems.join('; ')}: ${message.slice(0, 300)}`,
      });
      expect(problems).toEqual([]);
    });
  }
});

describe('item 13: EAB keys as CAs hand them out', () => {
  const forms: Record<string, string> = {
    base64url: ODD_KEY.toString('base64url'),
    'base64url, padded': `${ODD_KEY.toString('base64url')}=`,
    'standard base64, padded': ODD_KEY.toString('base64'),
    'standard base64, unpadded': ODD_KEY.toString('base64').replace(/=+$/, ''),
  };

  for (const algorithm of EAB_ALGORITHMS) {
    it(`registers with Pebble using ${algorithm}, the key in each of four spellings`, async () => {
      const outcomes: string[] = [];
      const problems: string[] = [];
      for (const [form, key] of Object.entries(forms)) {
        const dir = join(work, `eab-${algorithm}-${form.replace(/\W+/g, '-')}`);
        const r = await run([
          'register',
          '--agree-tos',
          '--eab-kid',
          ODD_KID,
          `--eab-hmac-key=${key}`,
          '--eab-hmac-alg',
          algorithm,
          '--server',
          pebble.directoryUrl,
          '--config-dir',
          dir,
        ]);
        outcomes.push(`${form}: exit ${r.code}`);
        if (r.code !== 0 || !/Account registered/.test(r.stdout)) problems.push(`${form}: exit ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
      }
      report.add({
        fault: `item 13: --eab-hmac-alg ${algorithm}, key as ${Object.keys(forms).join(' / ')}`,
        runs: Object.keys(forms).length,
        outcome: `Pebble 2.4 checked the MAC and registered each (${outcomes.join('; ')})`,
        lost: problems.length === 0 ? 'nothing' : problems.join('; '),
      });
      expect(problems).toEqual([]);
    }, 60_000);
  }

  const url = ODD_KEY.toString('base64url');
  const std = ODD_KEY.toString('base64').replace(/=+$/, '');
  const WRONG: readonly { readonly input: string; readonly key: string; readonly says: RegExp }[] = [
    { input: 'cut short by one character', key: url.slice(0, -1), says: /cut short|one character too many/ },
    { input: 'with a space inside (copied across a line break)', key: `${url.slice(0, 20)} ${url.slice(20)}`, says: /space or line break at character 21/ },
    { input: 'mixing base64url and standard base64', key: `${url.slice(0, 20)}+${url.slice(21)}`, says: /mixes/ },
    { input: 'with "=" inside', key: `${std.slice(0, 20)}=${std.slice(20)}`, says: /"=" may only end the key/ },
    { input: 'with a character in neither alphabet', key: `${url.slice(0, 10)}$${url.slice(11)}`, says: /character 11 is in neither alphabet/ },
  ];

  for (const w of WRONG) {
    it(`refuses a key ${w.input}: exit 2, explained, not echoed, nothing sent`, async () => {
      const dir = join(work, `wrong-${w.input.replace(/\W+/g, '-')}`);
      const r = await run(['register', '--agree-tos', '--eab-kid', ODD_KID, `--eab-hmac-key=${w.key}`, '--server', pebble.directoryUrl, '--config-dir', dir]);
      const message = `${r.stderr}${r.stdout}`.trim();
      // Any 6 characters of the key in the message count as an echo.
      const echoed = Array.from({ length: w.key.length - 5 }, (_, i) => w.key.slice(i, i + 6)).filter((part) => message.includes(part));
      const problems = [
        ...(r.code === 2 ? [] : [`exit ${r.code}`]),
        ...(r.requests === 0 ? [] : [`${r.requests} requests sent to the CA`]),
        ...(/--eab-hmac-key/.test(message) ? [] : ['the message does not name --eab-hmac-key']),
        ...(w.says.test(message) ? [] : [`the message does not say ${w.says}`]),
        ...(/base64url or standard base64/.test(message) ? [] : ['the message does not say which spellings are accepted']),
        ...(echoed.length === 0 ? [] : [`the message echoes the key (${echoed.length} six-character runs)`]),
        ...((await state(dir)) === 'absent' ? [] : ['the config dir was created']),
      ];
      report.add({
        fault: `item 13: an HMAC key ${w.input}`,
        runs: 1,
        outcome: `exit ${r.code}, ${r.requests} requests: “${echoed.length === 0 ? message.split('\n')[0]?.slice(0, 200) : '(withheld: it echoes the key)'}”`,
        lost: problems.length === 0 ? 'nothing (key not echoed, nothing sent, nothing written)' : problems.join('; '),
      });
      expect(problems).toEqual([]);
    });
  }
});

describe('secret hygiene of this file', () => {
  it('kept the EAB HMAC keys and the TSIG secret out of the output and files', async () => {
    hygiene.workflow({ outputs: cli.outputs });
    const summary = await reportHygiene(hygiene, '10-probes-input', 'the edge probes');
    expect(summary.findings).toEqual([]);
  });
});
