import { describe, expect, it } from 'vitest';
import { firstOrderPoll, MAX_WAIT_SECONDS, nextPoll, pollElapsedSeconds } from '../../../shared/workflow/poll.js';

const t0 = new Date('2026-11-26T00:00:00Z');

describe('nextPoll', () => {
  it('backs off 1, 2, 4 … seconds up to the cap, keeping the loop start', () => {
    let poll = nextPoll(undefined, false, t0);
    const waits = [poll.waitSeconds];
    for (let i = 0; i < 8; i++) {
      poll = nextPoll(poll, false, new Date(t0.getTime() + i * 1000));
      waits.push(poll.waitSeconds);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(poll.since).toBe(t0.toISOString());
    expect(poll.attempt).toBe(9);
  });

  it('follows the CA\u2019s Retry-After within [1, 60] and waits 0 when done', () => {
    expect(nextPoll(undefined, false, t0, 7).waitSeconds).toBe(7);
    expect(nextPoll(undefined, false, t0, 3600).waitSeconds).toBe(MAX_WAIT_SECONDS);
    expect(nextPoll(undefined, false, t0, 0).waitSeconds).toBe(1);
    expect(nextPoll(undefined, true, t0, 30)).toMatchObject({ done: true, waitSeconds: 0 });
  });

  it('measures the elapsed time of the loop', () => {
    const poll = nextPoll(undefined, false, t0);
    expect(pollElapsedSeconds(poll, new Date(t0.getTime() + 90_000))).toBe(90);
    expect(pollElapsedSeconds(undefined, t0)).toBe(0);
  });
});

describe('firstOrderPoll', () => {
  it('looks at a processing order at once, then backs off 1, 2, 4 … from the same start', () => {
    let poll = firstOrderPoll(false, t0);
    expect(poll).toEqual({ done: false, waitSeconds: 0, attempt: 0, since: t0.toISOString() });
    const waits = [poll.waitSeconds];
    for (let i = 1; i <= 3; i++) {
      poll = nextPoll(poll, false, new Date(t0.getTime() + i * 1000));
      waits.push(poll.waitSeconds);
    }
    expect(waits).toEqual([0, 1, 2, 4]);
    expect(poll.since).toBe(t0.toISOString());
  });

  it('follows the CA’s Retry-After, and waits 0 when the order is already valid', () => {
    expect(firstOrderPoll(false, t0, 5)).toMatchObject({ done: false, waitSeconds: 5, attempt: 1 });
    expect(firstOrderPoll(false, t0, 0).waitSeconds).toBe(1);
    expect(firstOrderPoll(true, t0)).toMatchObject({ done: true, waitSeconds: 0 });
  });
});
