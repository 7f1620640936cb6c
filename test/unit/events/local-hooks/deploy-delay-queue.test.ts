import { describe, expect, it } from 'vitest';
import { MemoryEventPublisher, type AcmeflowEvent, type EventPublisher } from '../../../../shared/events/index.js';
import { DeployDelayQueue, deployableEvent, HookFailedError } from '../../../../shared/events/local-hooks/index.js';
import { issuedDetail } from '../fixtures.js';

const T0 = Date.parse('2025-03-01T00:00:00Z');

/** A clock that only moves when the queue sleeps, and a log of what was published when. */
function harness(publisher?: EventPublisher) {
  let now = T0;
  const sleeps: number[] = [];
  const published: { at: number; lineages: string[] }[] = [];
  const memory = new MemoryEventPublisher();
  const target: EventPublisher = publisher ?? {
    async publish(events: readonly AcmeflowEvent[]) {
      published.push({ at: (now - T0) / 1000, lineages: events.map((e) => (e.detail as { lineage: string }).lineage) });
      await memory.publish(events);
    },
  };
  const queue = new DeployDelayQueue({
    publisher: target,
    now: () => new Date(now),
    sleep: async (ms) => {
      sleeps.push(ms / 1000);
      now += ms;
    },
  });
  return { queue, sleeps, published, memory, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('deployableEvent', () => {
  it('carries the issued facts without the delay', () => {
    const { deployDelaySeconds: _delay, ...facts } = issuedDetail('a.example');
    expect(deployableEvent(issuedDetail('a.example'))).toEqual({ detailType: 'Certificate Deployable', detail: facts });
  });
});

describe('DeployDelayQueue', () => {
  it('publishes each Certificate Deployable deployDelaySeconds after its own issuance', async () => {
    const { queue, sleeps, published, memory, advance } = harness();
    queue.add(issuedDetail('a.example', { deployDelaySeconds: 600 }));
    advance(120); // the next lineage is issued two minutes later
    queue.add(issuedDetail('b.example', { deployDelaySeconds: 600 }));
    advance(30);
    expect(queue.pending).toBe(2);
    await queue.drain();

    expect(sleeps).toEqual([450, 120]);
    expect(published).toEqual([
      { at: 600, lineages: ['a.example'] },
      { at: 720, lineages: ['b.example'] },
    ]);
    expect(memory.events.map((e) => e.detailType)).toEqual(['Certificate Deployable', 'Certificate Deployable']);
    expect(queue.pending).toBe(0);
  });

  it('publishes certificates due together, or already due, in one call without sleeping', async () => {
    const { queue, sleeps, published } = harness();
    queue.add(issuedDetail('a.example', { deployDelaySeconds: 0 }));
    queue.add(issuedDetail('b.example', { deployDelaySeconds: 60 }), new Date(T0 - 120_000));
    await queue.drain();
    expect(sleeps).toEqual([]);
    expect(published).toEqual([{ at: 0, lineages: ['b.example', 'a.example'] }]);
  });

  it('orders by due time, not by the order of add', async () => {
    const { queue, published } = harness();
    queue.add(issuedDetail('slow.example', { deployDelaySeconds: 900 }));
    queue.add(issuedDetail('fast.example', { deployDelaySeconds: 60 }));
    await queue.drain();
    expect(published.map((p) => p.lineages[0])).toEqual(['fast.example', 'slow.example']);
  });

  it('does not loop when the clock does not move while sleeping', async () => {
    const published: string[] = [];
    const queue = new DeployDelayQueue({
      publisher: { publish: async (events) => void published.push(...events.map((e) => (e.detail as { lineage: string }).lineage)) },
      now: () => new Date(T0),
      sleep: async () => {},
    });
    queue.add(issuedDetail('a.example', { deployDelaySeconds: 600 }));
    await queue.drain();
    expect(published).toEqual(['a.example']);
  });

  it('checks the issued event when it is added', () => {
    const { queue } = harness();
    expect(() => queue.add({ ...issuedDetail('a.example'), deployDelaySeconds: -1 })).toThrow(expect.objectContaining({ name: 'InvalidEventError' }));
    expect(queue.pending).toBe(0);
  });

  it('publishes the others when one publish fails, then reports every hook failure in one HookFailedError', async () => {
    const attempted: string[] = [];
    const failing: EventPublisher = {
      async publish(events) {
        const lineage = (events[0]!.detail as { lineage: string }).lineage;
        attempted.push(lineage);
        if (lineage !== 'b.example') throw new HookFailedError([{ hook: 'deploy-hook', command: 'exit 1', exitCode: 1, signal: null, stderrTail: '', lineage }]);
      },
    };
    const { queue } = harness(failing);
    queue.add(issuedDetail('a.example', { deployDelaySeconds: 10 }));
    queue.add(issuedDetail('b.example', { deployDelaySeconds: 20 }));
    queue.add(issuedDetail('c.example', { deployDelaySeconds: 30 }));
    const error = await queue.drain().then(() => expect.fail('expected a rejection'), (e: unknown) => e as HookFailedError);

    expect(attempted).toEqual(['a.example', 'b.example', 'c.example']);
    expect(error.name).toBe('HookFailedError');
    expect(error.failures.map((f) => f.lineage)).toEqual(['a.example', 'c.example']);
  });

  it('rethrows a single failure as it is', async () => {
    const boom = new Error('bus down');
    const { queue } = harness({ publish: () => Promise.reject(boom) });
    queue.add(issuedDetail('a.example', { deployDelaySeconds: 0 }));
    await expect(queue.drain()).rejects.toBe(boom);
  });
});
