import { EventBridgeClient, EventBridgeServiceException, PutEventsCommand, ThrottlingException, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBridgePublisher, type EventBridgePublisherOptions } from '../../../../shared/events/eventbridge/index.js';
import { EventPublishError, type AcmeflowEvent } from '../../../../shared/events/index.js';
import { deployable, issuanceFailed, issued, PEM_PRIVATE_KEY, revoked, sweep } from '../fixtures.js';

const eventBridge = mockClient(EventBridgeClient);

function publisher(options: EventBridgePublisherOptions = {}) {
  const sleep = vi.fn(async (_ms: number) => {});
  const instance = new EventBridgePublisher(options, { client: new EventBridgeClient({ region: 'eu-west-3' }), sleep, random: () => 0.5 });
  return { instance, sleep };
}

const sent = (): PutEventsRequestEntry[][] => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const ok = (n: number) => ({ FailedEntryCount: 0, Entries: Array.from({ length: n }, (_, i) => ({ EventId: `id-${i}` })) });
const lineages = (n: number): AcmeflowEvent[] => Array.from({ length: n }, (_, i) => issued(`site${i}.example.com`));
const rejectionOf = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a rejection'), (error: unknown) => error as Error);

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ok(input.Entries.length));
});

describe('EventBridgePublisher call shapes', () => {
  it('sends each event with Source acmeflow, its DetailType and the checked detail as JSON, on the default bus', async () => {
    await publisher().instance.publish([issued('example.com'), sweep(1, { renewed: ['example.com'] })]);

    const [entries] = sent();
    expect(entries).toHaveLength(2);
    expect(entries?.[0]).toEqual({ Source: 'acmeflow', DetailType: 'Certificate Issued', Detail: JSON.stringify(issued('example.com').detail) });
    expect(entries?.[1]?.DetailType).toBe('Renewal Sweep Completed');
    expect(JSON.parse(entries?.[1]?.Detail ?? '')).toEqual({ attempted: 1, renewed: ['example.com'], failed: [], skipped: 0, dryRun: false });
    for (const entry of entries ?? []) expect(entry).not.toHaveProperty('EventBusName');
  });

  it('names the configured bus on every entry', async () => {
    await publisher({ eventBusName: 'acmeflow-events' }).instance.publish([issued(), deployable(), revoked()]);
    expect(sent()[0]?.map((e) => e.EventBusName)).toEqual(['acmeflow-events', 'acmeflow-events', 'acmeflow-events']);
  });

  it('sends what the schema keeps: defaults filled in, unknown fields dropped', async () => {
    const detail = { attempted: 0, renewed: [], failed: [], skipped: 2, extra: 'dropped' };
    await publisher().instance.publish([{ detailType: 'Renewal Sweep Completed', detail } as unknown as AcmeflowEvent]);
    expect(JSON.parse(sent()[0]?.[0]?.Detail ?? '')).toEqual({ attempted: 0, renewed: [], failed: [], skipped: 2, dryRun: false });
  });

  it('makes no call for an empty list', async () => {
    await publisher().instance.publish([]);
    expect(sent()).toEqual([]);
  });
});

describe('EventBridgePublisher batching', () => {
  it('sends 25 events in 3 calls of 10, 10 and 5, in order', async () => {
    const events = lineages(25);
    await publisher().instance.publish(events);

    expect(sent().map((entries) => entries.length)).toEqual([10, 10, 5]);
    expect(sent().flat().map((e) => (JSON.parse(e.Detail ?? '') as { lineage: string }).lineage)).toEqual(events.map((e) => (e.detail as { lineage: string }).lineage));
  });

  it('keeps each call within 256 KB, counting UTF-8 bytes', async () => {
    // Each event ~100 KB of Japanese text (3 bytes a character): 3 fit under 256 KB by characters, only 2 by bytes.
    const big = (lineage: string) => issuanceFailed(lineage, { explanation: { en: 'x', ja: 'あ'.repeat(34_000) } });
    await publisher().instance.publish([big('a.example'), big('b.example'), big('c.example'), big('d.example'), big('e.example')]);

    expect(sent().map((entries) => entries.length)).toEqual([2, 2, 1]);
    for (const entries of sent()) {
      const bytes = entries.reduce((sum, e) => sum + Buffer.byteLength(e.Source ?? '') + Buffer.byteLength(e.DetailType ?? '') + Buffer.byteLength(e.Detail ?? ''), 0);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
  });

  it('refuses an event larger than one entry may be, before sending anything', async () => {
    const huge = issuanceFailed('a.example', { explanation: { en: 'x'.repeat(300_000), ja: 'x' } });
    const error = await rejectionOf(publisher().instance.publish([issued(), huge]));

    expect(error.name).toBe('EventTooLargeError');
    expect(error).toMatchObject({ index: 1, detailType: 'Certificate Issuance Failed', limit: 262_144 });
    expect(sent()).toEqual([]);
  });
});

describe('EventBridgePublisher partial failures', () => {
  it('retries only the failed entries, after a back-off, until they are delivered', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }, { EventId: 'c' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow' }],
      })
      .resolvesOnce(ok(2));
    const { instance, sleep } = publisher();
    const events = lineages(4);
    await instance.publish(events);

    expect(sent()).toHaveLength(2);
    expect(sent()[1]).toEqual([sent()[0]?.[1], sent()[0]?.[3]]);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(sleep).toHaveBeenCalledWith(150); // 200 ms base, jitter factor 0.75 with random 0.5
  });

  it('gives up after maxAttempts tries and lists each undelivered event with its index and error code', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) => (i === input.Entries.length - 1 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'still failing' } : { EventId: `id-${i}` })),
    }));
    const { instance, sleep } = publisher({ maxAttempts: 3 });
    const error = await rejectionOf(instance.publish([issued('a.example'), deployable('b.example'), revoked('c.example')]));

    expect(error).toBeInstanceOf(EventPublishError);
    expect(error.name).toBe('EventPublishError');
    expect((error as EventPublishError).failed).toEqual([
      { index: 2, detailType: 'Certificate Revoked', errorCode: 'InternalFailure', errorMessage: 'still failing' },
    ]);
    expect(sent().map((entries) => entries.length)).toEqual([3, 1, 1]);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([150, 300]);
  });

  it('does not retry entries failing with a permanent error code, but retries the others', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 2, Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }, { ErrorCode: 'InternalFailure' }] })
      .resolvesOnce(ok(1));
    const error = await rejectionOf(publisher().instance.publish([issued('a.example'), issued('b.example')]));

    expect((error as EventPublishError).failed).toEqual([{ index: 0, detailType: 'Certificate Issued', errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' }]);
    expect(sent()[1]).toEqual([sent()[0]?.[1]]);
  });

  it('retries every entry of a batch when the answer does not say which failed', async () => {
    eventBridge.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 1 }).resolvesOnce(ok(2));
    await publisher().instance.publish([issued('a.example'), issued('b.example')]);
    expect(sent().map((entries) => entries.length)).toEqual([2, 2]);
  });

  it('reports the failures of one batch after sending the other batches', async () => {
    let call = 0;
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) =>
      ++call === 1 ? { FailedEntryCount: 10, Entries: input.Entries.map(() => ({ ErrorCode: 'AccessDeniedException' })) } : ok(input.Entries.length),
    );
    const error = await rejectionOf(publisher().instance.publish(lineages(15)));

    expect((error as EventPublishError).failed.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sent().map((entries) => entries.length)).toEqual([10, 5]);
  });
});

describe('EventBridgePublisher call errors', () => {
  const throttling = () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

  it('retries a throttled call with the same entries', async () => {
    eventBridge.on(PutEventsCommand).rejectsOnce(throttling()).rejectsOnce(throttling()).resolvesOnce(ok(2));
    const { instance, sleep } = publisher();
    await instance.publish([issued('a.example'), issued('b.example')]);

    expect(sent()).toHaveLength(3);
    expect(sent()[2]).toEqual(sent()[0]);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([150, 300]);
  });

  it('caps the back-off', async () => {
    eventBridge.on(PutEventsCommand).rejects(throttling());
    const { instance, sleep } = publisher({ maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 2_500 });
    await rejectionOf(instance.publish([issued()]));
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([750, 1_500, 1_875, 1_875, 1_875]);
  });

  it('throws EventPublishError with the throttling as cause once the tries are spent', async () => {
    eventBridge.on(PutEventsCommand).rejects(throttling());
    const error = await rejectionOf(publisher({ maxAttempts: 2 }).instance.publish([issued('a.example'), revoked('a.example')]));

    expect(error.name).toBe('EventPublishError');
    expect((error as EventPublishError).failed).toEqual([
      { index: 0, detailType: 'Certificate Issued', errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' },
      { index: 1, detailType: 'Certificate Revoked', errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' },
    ]);
    expect((error.cause as Error).name).toBe('ThrottlingException');
    expect(sent()).toHaveLength(2);
  });

  it('does not retry a call error that another try cannot cure', async () => {
    const denied = new EventBridgeServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not allowed', $metadata: { httpStatusCode: 400 } });
    eventBridge.on(PutEventsCommand).rejects(denied);
    const { instance, sleep } = publisher();
    const error = await rejectionOf(instance.publish([issued()]));

    expect((error as EventPublishError).failed).toEqual([{ index: 0, detailType: 'Certificate Issued', errorCode: 'AccessDeniedException', errorMessage: 'not allowed' }]);
    expect(sent()).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('retries a 5xx answer and a request that got no answer', async () => {
    const internal = new EventBridgeServiceException({ name: 'InternalException', $fault: 'server', message: 'oops', $metadata: { httpStatusCode: 500 } });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    eventBridge.on(PutEventsCommand).rejectsOnce(internal).rejectsOnce(reset).resolvesOnce(ok(1));
    await publisher().instance.publish([issued()]);
    expect(sent()).toHaveLength(3);
  });
});

describe('EventBridgePublisher checks', () => {
  it('refuses an event that does not match its schema, naming the field, before sending anything', async () => {
    const bad = { detailType: 'Certificate Issued', detail: { ...issued().detail, version: 0 } } as AcmeflowEvent;
    const error = await rejectionOf(publisher().instance.publish([issued(), bad]));

    expect(error.name).toBe('InvalidEventError');
    expect(error).toMatchObject({ index: 1, detailType: 'Certificate Issued' });
    expect((error as unknown as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['version']);
    expect((error.cause as Error).name).toBe('ZodError');
    expect(sent()).toEqual([]);
  });

  it('refuses an unknown detail-type', async () => {
    const error = await rejectionOf(publisher().instance.publish([{ detailType: 'Certificate Exploded', detail: {} } as unknown as AcmeflowEvent]));
    expect(error.name).toBe('InvalidEventError');
    expect(error.message).toMatch(/unknown detail-type/);
    expect(sent()).toEqual([]);
  });

  it('refuses an event carrying a private key, without sending anything or quoting the key', async () => {
    const leaky = issuanceFailed('a.example', { error: { name: 'Error', message: `could not parse ${PEM_PRIVATE_KEY}` } });
    const error = await rejectionOf(publisher().instance.publish([issued(), leaky]));

    expect(error.name).toBe('EventContainsSecretError');
    expect(error).toMatchObject({ index: 1, path: 'error.message', kind: 'private-key-pem' });
    expect(error.message).not.toContain('AAAA');
    expect(sent()).toEqual([]);
  });

  it('refuses a secret-named field even where the schema would have dropped it', async () => {
    const leaky = { detailType: 'Certificate Issued', detail: { ...issued().detail, eabHmacKey: 'c2VjcmV0' } } as unknown as AcmeflowEvent;
    const error = await rejectionOf(publisher().instance.publish([leaky]));
    expect(error).toMatchObject({ name: 'EventContainsSecretError', path: 'eabHmacKey', kind: 'secret-field' });
    expect(error.message).not.toContain('c2VjcmV0');
    expect(sent()).toEqual([]);
  });
});
