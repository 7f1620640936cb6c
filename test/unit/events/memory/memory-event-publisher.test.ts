import { describe, expect, it } from 'vitest';
import { MemoryEventPublisher, type AcmeflowEvent } from '../../../../shared/events/index.js';
import { deployable, issued, PEM_PRIVATE_KEY, sweep } from '../fixtures.js';

describe('MemoryEventPublisher', () => {
  it('records events in publish order, across calls', async () => {
    const events = new MemoryEventPublisher();
    await events.publish([issued('a.example'), deployable('a.example')]);
    await events.publish([sweep(1)]);
    expect(events.events.map((e) => e.detailType)).toEqual(['Certificate Issued', 'Certificate Deployable', 'Renewal Sweep Completed']);
  });

  it('filters by detail-type and records the checked detail (schema defaults filled in)', async () => {
    const events = new MemoryEventPublisher();
    const detail = { attempted: 2, renewed: ['a.example'], failed: [], skipped: 1 };
    await events.publish([issued('a.example'), issued('b.example'), { detailType: 'Renewal Sweep Completed', detail } as unknown as AcmeflowEvent]);
    expect(events.ofType('Certificate Issued').map((d) => d.lineage)).toEqual(['a.example', 'b.example']);
    expect(events.ofType('Renewal Sweep Completed')).toEqual([{ ...detail, dryRun: false }]);
  });

  it('keeps a copy the caller cannot change afterwards', async () => {
    const events = new MemoryEventPublisher();
    const event = issued('a.example');
    await events.publish([event]);
    (event.detail as { domains: string[] }).domains.push('changed.example');
    expect(events.ofType('Certificate Issued')[0]?.domains).toEqual(['a.example', 'www.a.example']);
  });

  it('records nothing from a call with an invalid event or a secret', async () => {
    const events = new MemoryEventPublisher();
    const invalid = { detailType: 'Certificate Issued', detail: { lineage: 'a.example' } } as AcmeflowEvent;
    await expect(events.publish([issued(), invalid])).rejects.toMatchObject({ name: 'InvalidEventError', index: 1 });
    const leaky = { detailType: 'Certificate Deployable', detail: { ...deployable().detail, keyLocation: PEM_PRIVATE_KEY } } as AcmeflowEvent;
    await expect(events.publish([leaky])).rejects.toMatchObject({ name: 'EventContainsSecretError', path: 'keyLocation' });
    expect(events.events).toEqual([]);
  });

  it('forgets everything on clear', async () => {
    const events = new MemoryEventPublisher();
    await events.publish([issued()]);
    events.clear();
    expect(events.events).toEqual([]);
    expect(events.ofType('Certificate Issued')).toEqual([]);
  });
});
