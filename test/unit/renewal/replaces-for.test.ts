import { describe, expect, it } from 'vitest';
import { AcmeAlreadyReplacedError, AcmeRateLimitedError } from '../../../shared/acme/errors.js';
import { replacesFor, shouldSendReplaces, withoutReplacesAfterAlreadyReplaced } from '../../../shared/renewal/index.js';
import type { LineageState } from '../../../shared/store/index.js';
import { ARI_ID, DAY, lineageState } from './fixtures.js';

const withId = lineageState(90 * DAY);
const withoutId: LineageState = { currentVersion: 1, current: { ...withId.current!, ariCertificateId: undefined } };

describe('replacesFor / shouldSendReplaces (RFC 9773 §5)', () => {
  it.each([
    ['a renewal at a CA with renewalInfo', withId, true, undefined, ARI_ID],
    ['the CA has no renewalInfo', withId, false, undefined, undefined],
    ['no certificate yet', { currentVersion: 0 } as LineageState, true, undefined, undefined],
    ['a leftover summary at version 0', { ...withId, currentVersion: 0 }, true, undefined, undefined],
    ['no ARI id recorded', withoutId, true, undefined, undefined],
    ['a malformed ARI id', { currentVersion: 1, current: { ...withId.current!, ariCertificateId: 'not an id' } }, true, undefined, undefined],
    ['the new order shares a name (any case)', withId, true, ['WWW.example.com', 'new.example.com'], ARI_ID],
    ['the new order shares no name', withId, true, ['other.example'], undefined],
  ] as const)('%s', (_name, state, hasRenewalInfo, domains, expected) => {
    expect(replacesFor(state, hasRenewalInfo, domains)).toBe(expected);
    expect(shouldSendReplaces(state, hasRenewalInfo, domains)).toBe(expected !== undefined);
  });
});

describe('withoutReplacesAfterAlreadyReplaced', () => {
  const alreadyReplaced = new AcmeAlreadyReplacedError({ type: 'urn:ietf:params:acme:error:alreadyReplaced', status: 409, detail: 'replaced' });
  it.each([
    ['AcmeAlreadyReplacedError', alreadyReplaced, true],
    ['its JSON form', JSON.parse(JSON.stringify(alreadyReplaced)), true],
    ['a Step Functions error', { Error: 'AcmeAlreadyReplacedError', Cause: '{"problem":{}}' }, true],
    ['AcmeRateLimitedError', new AcmeRateLimitedError({ type: 'urn:ietf:params:acme:error:rateLimited' }), false],
    ['a plain Error', new Error('AcmeAlreadyReplacedError'), false],
    ['a string', 'AcmeAlreadyReplacedError', false],
    ['null', null, false],
    ['undefined', undefined, false],
  ])('%s → %s', (_name, error, expected) => {
    expect(withoutReplacesAfterAlreadyReplaced(error)).toBe(expected);
  });
});
