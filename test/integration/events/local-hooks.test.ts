/**
 * The local engine's event path end to end, with real hook commands through /bin/sh: the engine
 * publishes Certificate Issued, hands it to the deploy delay, and the hooks publisher turns the
 * Certificate Deployable and Renewal Sweep Completed events into certbot's deploy and post hooks.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventPublisher, type AcmeflowEvent, type EventPublisher } from '../../../shared/events/index.js';
import { DeployDelayQueue, LocalHooksPublisher } from '../../../shared/events/local-hooks/index.js';
import { issuedDetail, sweep } from '../../unit/events/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-local-events-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('local event path', () => {
  it('renews two lineages, waits their deploy delay from issuance, deploys each once, then runs the post hook once', async () => {
    const out = join(dir, 'hooks.log');
    let now = Date.parse('2025-03-01T00:00:00Z');
    const start = now;
    const log = new MemoryEventPublisher();
    const hooks = new LocalHooksPublisher(
      {
        preHook: `echo "pre" >> "${out}"`,
        deployHook: `echo "deploy $RENEWED_LINEAGE [$RENEWED_DOMAINS]" >> "${out}"`,
        postHook: `echo "post [$RENEWED_DOMAINS]" >> "${out}"`,
      },
      { logger: { info: () => {}, warn: () => {}, error: () => {} } },
    );
    // What the local engine will compose: the event log and the hooks see every event.
    const deployedAt: number[] = [];
    const events: EventPublisher = {
      async publish(list: readonly AcmeflowEvent[]) {
        for (const event of list) if (event.detailType === 'Certificate Deployable') deployedAt.push((now - start) / 1000);
        await log.publish(list);
        await hooks.publish(list);
      },
    };
    const delays = new DeployDelayQueue({
      publisher: events,
      now: () => new Date(now),
      sleep: async (ms) => {
        now += ms;
      },
    });

    await hooks.runPreHook();
    for (const lineage of ['a.example.jp', 'b.example.jp']) {
      const detail = issuedDetail(lineage, { deployDelaySeconds: 600 });
      await events.publish([{ detailType: 'Certificate Issued', detail }]);
      delays.add(detail);
      await hooks.runPreHook(); // the engine may call it before every attempt; it runs once
      now += 90_000; // the next issuance takes a minute and a half
    }
    await delays.drain();
    await events.publish([sweep(2, { renewed: ['a.example.jp', 'b.example.jp'] })]);

    expect((await readFile(out, 'utf8')).trim().split('\n')).toEqual([
      'pre',
      'deploy /etc/acmeflow/live/a.example.jp [a.example.jp www.a.example.jp]',
      'deploy /etc/acmeflow/live/b.example.jp [b.example.jp www.b.example.jp]',
      'post [a.example.jp www.a.example.jp b.example.jp www.b.example.jp]',
    ]);
    // Ten minutes after each issuance (b was issued 90 s after a), not ten minutes per lineage.
    expect(deployedAt).toEqual([600, 690]);
    expect(log.events.map((e) => e.detailType)).toEqual([
      'Certificate Issued',
      'Certificate Issued',
      'Certificate Deployable',
      'Certificate Deployable',
      'Renewal Sweep Completed',
    ]);
  });
});
