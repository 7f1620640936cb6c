/**
 * EventBridgePublisher through the real @aws-sdk/client-eventbridge against the wire-level fake:
 * batching, partial failures, throttling and the fake's own EventBridge behaviour.
 */
import { EventBridgeClient, EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBridgePublisher, type EventBridgePublisherOptions } from '../../../shared/events/eventbridge/index.js';
import type { EventPublishError, AcmeflowEvent } from '../../../shared/events/index.js';
import { startEventBridgeFake, type EventBridgeFake } from '../../../harness/eventbridge-fake.js';
import { deployable, issuanceFailed, issued, sweep } from '../../unit/events/fixtures.js';

let fake: EventBridgeFake;
let client: EventBridgeClient;

beforeAll(async () => {
  fake = await startEventBridgeFake();
  client = new EventBridgeClient({ endpoint: fake.endpoint, region: 'ap-northeast-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' } });
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});
beforeEach(() => {
  fake.clearFaults();
  fake.reset();
});

function publisher(options: EventBridgePublisherOptions = {}) {
  const sleep = vi.fn(async (_ms: number) => {});
  return { instance: new EventBridgePublisher(options, { client, sleep, random: () => 0 }), sleep };
}
const lineages = (n: number): AcmeflowEvent[] => Array.from({ length: n }, (_, i) => issued(`site${i}.example.jp`));
const lineageOf = (detail: unknown): string => (detail as { lineage: string }).lineage;

describe('EventBridgePublisher against the EventBridge fake', () => {
  it('speaks JSON 1.1 PutEvents and delivers 25 events in 3 calls, in order', async () => {
    const events = lineages(25);
    await publisher().instance.publish(events);

    expect(fake.calls.map((c) => [c.method, c.path, c.target, c.contentType, c.accessKeyId, c.entryCount, c.status])).toEqual([
      ['POST', '/', 'AWSEvents.PutEvents', 'application/x-amz-json-1.1', 'AKIDFAKE', 10, 200],
      ['POST', '/', 'AWSEvents.PutEvents', 'application/x-amz-json-1.1', 'AKIDFAKE', 10, 200],
      ['POST', '/', 'AWSEvents.PutEvents', 'application/x-amz-json-1.1', 'AKIDFAKE', 5, 200],
    ]);
    expect(fake.events.map((e) => lineageOf(e.detail))).toEqual(events.map((e) => lineageOf(e.detail)));
    expect(fake.events[0]).toMatchObject({ source: 'acmeflow', detailType: 'Certificate Issued', eventBusName: 'default', detail: issued('site0.example.jp').detail });
  });

  it('puts the events on the configured bus', async () => {
    await publisher({ eventBusName: 'acmeflow' }).instance.publish([deployable('a.example.jp'), sweep(1)]);
    expect(fake.events.map((e) => [e.eventBusName, e.detailType])).toEqual([
      ['acmeflow', 'Certificate Deployable'],
      ['acmeflow', 'Renewal Sweep Completed'],
    ]);
  });

  it('keeps Japanese text intact', async () => {
    await publisher().instance.publish([issuanceFailed('a.example.jp')]);
    expect((fake.events[0]!.detail as { explanation: { ja: string } }).explanation.ja).toBe('認証局が TXT レコードを見つけられませんでした。');
  });

  it('retries only the entries that failed, and delivers each event once', async () => {
    fake.inject({ kind: 'fail-entries', count: 2, errorCode: 'InternalFailure' });
    const events = lineages(4);
    const { instance, sleep } = publisher();
    await instance.publish(events);

    expect(fake.calls.map((c) => [c.entryCount, c.failedEntryCount])).toEqual([
      [4, 2],
      [2, 0],
    ]);
    expect(fake.events.map((e) => lineageOf(e.detail)).sort()).toEqual(events.map((e) => lineageOf(e.detail)).sort());
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('throws EventPublishError listing the entries still failing after every try, having delivered the rest', async () => {
    fake.inject({ kind: 'fail-entries', count: 1, errorCode: 'InternalFailure' });
    fake.inject({ kind: 'fail-entries', count: 100, errorCode: 'InternalFailure', errorMessage: 'EventBridge is having a day' });
    const events = lineages(3);
    const error = await publisher({ maxAttempts: 3 })
      .instance.publish(events)
      .then(() => expect.fail('expected a rejection'), (e: unknown) => e as EventPublishError);

    expect(error.name).toBe('EventPublishError');
    expect(error.failed).toEqual([
      { index: 0, detailType: 'Certificate Issued', errorCode: 'InternalFailure', errorMessage: 'EventBridge is having a day' },
      { index: 1, detailType: 'Certificate Issued', errorCode: 'InternalFailure', errorMessage: 'EventBridge is having a day' },
      { index: 2, detailType: 'Certificate Issued', errorCode: 'InternalFailure', errorMessage: 'EventBridge is having a day' },
    ]);
    expect(fake.calls.map((c) => c.entryCount)).toEqual([3, 3, 3]);
    expect(fake.events).toEqual([]);
  });

  it('does not retry an entry EventBridge calls malformed', async () => {
    fake.inject({ kind: 'fail-entries', count: 1, errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' });
    const error = await publisher()
      .instance.publish(lineages(2))
      .then(() => expect.fail('expected a rejection'), (e: unknown) => e as EventPublishError);
    expect(error.failed).toEqual([{ index: 0, detailType: 'Certificate Issued', errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' }]);
    expect(fake.calls).toHaveLength(1);
    expect(fake.events).toHaveLength(1);
  });

  it('retries a throttled call (400 ThrottlingException) with the same entries', async () => {
    fake.inject({ kind: 'throttle', count: 2 });
    const { instance, sleep } = publisher();
    await instance.publish(lineages(3));

    expect(fake.calls.map((c) => [c.status, c.errorType, c.entryCount])).toEqual([
      [400, 'ThrottlingException', 3],
      [400, 'ThrottlingException', 3],
      [200, undefined, 3],
    ]);
    expect(fake.events).toHaveLength(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('gives up on throttling after maxAttempts, with the SDK exception as cause', async () => {
    fake.inject({ kind: 'throttle', count: 10 });
    const error = await publisher({ maxAttempts: 2 })
      .instance.publish(lineages(1))
      .then(() => expect.fail('expected a rejection'), (e: unknown) => e as EventPublishError);
    expect(error.failed).toEqual([{ index: 0, detailType: 'Certificate Issued', errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' }]);
    expect((error.cause as Error).name).toBe('ThrottlingException');
    expect(fake.calls).toHaveLength(2);
  });

  it('fails a batch at once on a call error no retry cures, and still sends the other batches', async () => {
    fake.inject({ kind: 'call-error', status: 400, type: 'AccessDeniedException', message: 'User is not authorized to perform: events:PutEvents' });
    const error = await publisher()
      .instance.publish(lineages(12))
      .then(() => expect.fail('expected a rejection'), (e: unknown) => e as EventPublishError);
    expect(error.failed.map((f) => [f.index, f.errorCode])).toEqual(Array.from({ length: 10 }, (_, i) => [i, 'AccessDeniedException']));
    expect(fake.calls.map((c) => c.status)).toEqual([400, 200]);
    expect(fake.events.map((e) => lineageOf(e.detail))).toEqual(['site10.example.jp', 'site11.example.jp']);
  });
});

describe('EventBridge fake', () => {
  it('rejects more than 10 entries and more than 256 KB with ValidationException, as EventBridge does', async () => {
    const entry = (detail: string) => ({ Source: 'acmeflow', DetailType: 'Test', Detail: detail });
    const tooMany = await client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry('{}')) })).catch((e: unknown) => e);
    const tooBig = await client.send(new PutEventsCommand({ Entries: [entry(`{"a":"${'x'.repeat(140_000)}"}`), entry(`{"a":"${'x'.repeat(140_000)}"}`)] })).catch((e: unknown) => e);
    // EventBridge's SDK has no ValidationException class; the service exception carries the name.
    for (const error of [tooMany, tooBig]) {
      expect(error).toBeInstanceOf(EventBridgeServiceException);
      expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    }
    expect((tooMany as Error).message).toMatch(/less than or equal to 10/);
    expect((tooBig as Error).message).toMatch(/over the limit/);
    expect(fake.events).toEqual([]);
  });

  it('fails entries with a malformed detail or an aws. source, and takes the others', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'acmeflow', DetailType: 'Test', Detail: 'not json' },
          { Source: 'aws.acm', DetailType: 'Test', Detail: '{}' },
          { Source: 'acmeflow', DetailType: 'Test', Detail: '{"ok":true}', Time: new Date('2025-01-02T03:04:05Z') },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual(['MalformedDetail', 'NotAuthorizedForSourceException', undefined]);
    expect(out.Entries?.[2]?.EventId).toBe(fake.events[0]?.id);
    expect(fake.events).toEqual([expect.objectContaining({ detail: { ok: true }, time: '2025-01-02T03:04:05.000Z' })]);
  });

  it('answers any other operation with UnknownOperationException', async () => {
    const response = await fetch(fake.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListRules' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
