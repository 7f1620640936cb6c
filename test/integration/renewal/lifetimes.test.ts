/**
 * Six-day and 45-day certificates from real Pebbles (`certificateValidityPeriod`), issued by the
 * command over BIND 9: the renewal policy reads each one's own lifetime from the stored certificate
 * (renew at half left under 10 days, at one third otherwise), and the sweep schedule computed from
 * those lifetimes puts several sweeps inside the shortest one's suggested window.
 */
import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { decideRenewal, MIN_SWEEPS_PER_WINDOW, sweepSchedule } from '../../../shared/renewal/index.js';
import { FilesystemCertificateStore } from '../../../shared/store/filesystem/index.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { writeRfc2136Credentials } from '../../../harness/workflow-deps.js';

const DAY = 86_400;
let bind: BindHandle;
let sixDays: PebbleHandle;
let fortyFive: PebbleHandle;
let work: string;
let configDir: string;

async function certonly(pebble: PebbleHandle, name: string): Promise<number> {
  let err = '';
  const code = await main(
    [
      'certonly',
      '-d',
      name,
      '--dns',
      'rfc2136',
      '--dns-rfc2136-credentials',
      join(work, 'rfc2136.ini'),
      '--dns-resolver',
      bind.server,
      '--server',
      pebble.directoryUrl,
      '--agree-tos',
      '--eab-kid',
      pebble.eab.kid,
      '--eab-hmac-key',
      pebble.eab.hmacKey,
      '--config-dir',
      configDir,
    ],
    { env: { LANG: 'C', HOME: work }, stdout: { write: () => undefined }, stderr: { write: (s: string) => (err += s) }, waitScale: 0.02, fetch: pebble.fetch },
  );
  if (code !== 0) throw new Error(`certonly ${name}: exit ${code}: ${err}`);
  return code;
}

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  [sixDays, fortyFive] = await Promise.all([
    startPebble({ dnsServer: bind.server, certificateValidityPeriod: 6 * DAY }),
    startPebble({ dnsServer: bind.server, certificateValidityPeriod: 45 * DAY }),
  ]);
  work = await mkdtemp(join(tmpdir(), 'acmeflow-lifetimes-'));
  configDir = join(work, 'config');
  await writeRfc2136Credentials(join(work, 'rfc2136.ini'), bind);
  await certonly(sixDays, 'six.example.test');
  await certonly(fortyFive, 'fortyfive.example.test');
}, 120_000);
afterAll(async () => {
  await Promise.all([sixDays?.stop(), fortyFive?.stop()]);
  await bind?.stop();
});

async function stored(name: string) {
  const lineage = (await new FilesystemCertificateStore({ configDir }).getLineage(name))!.lineage;
  const current = lineage.state.current!;
  return { lineage, notBefore: Date.parse(current.notBefore), notAfter: Date.parse(current.notAfter) };
}

describe('lifetimes from Pebble\u2019s certificateValidityPeriod', () => {
  it.each([
    ['six.example.test', 6, 1 / 2],
    ['fortyfive.example.test', 45, 1 / 3],
  ] as const)('%s (%i days) renews when %f of its own lifetime is left', async (name, days, fraction) => {
    const { lineage, notBefore, notAfter } = await stored(name);
    const lifetime = notAfter - notBefore;
    expect(Math.round(lifetime / 1000 / DAY)).toBe(days);
    const renewAt = notAfter - Math.round(lifetime * fraction);
    const decide = (now: number) => decideRenewal({ spec: lineage.spec, state: lineage.state, now: new Date(now), random: () => 0.5 });
    expect(decide(renewAt - 60_000)).toMatchObject({ due: false, reason: 'not-due' });
    expect(decide(renewAt - 60_000).renewAt).toBe(new Date(renewAt).toISOString());
    expect(decide(renewAt)).toMatchObject({ due: true, reason: 'lifetime-fraction' });
  });

  it('the sweep schedule from these lifetimes sweeps several times inside the six-day certificate\u2019s window', async () => {
    const lifetimes = await Promise.all(['six.example.test', 'fortyfive.example.test'].map(async (n) => ((await stored(n)).notAfter - (await stored(n)).notBefore) / 1000));
    const schedule = sweepSchedule(lifetimes);
    expect(schedule.intervalMinutes).toBe(30);
    expect(schedule.sweepsPerWindow).toBeGreaterThanOrEqual(MIN_SWEEPS_PER_WINDOW);
    expect(sweepSchedule(lifetimes.slice(1)).intervalMinutes).toBe(360);
  });
});
