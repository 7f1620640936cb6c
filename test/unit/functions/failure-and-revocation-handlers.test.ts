import { beforeEach, describe, expect, it } from 'vitest';
import { AcmeValidationFailedError, accountIdFor, toStepError } from '../../../shared/workflow/index.js';
import { exportAccountKeyPem, generateAccountKey } from '../../../shared/acme/index.js';
import { makeHandler as recordFailure } from '../../../functions/record-failure/handler.js';
import { makeHandler as revokeCertificate } from '../../../functions/revoke-certificate/handler.js';
import { makeSelfSignedCertificate } from '../../support/certs.js';
import { acmeJson, DIRECTORY, DIRECTORY_URL, memoryDeps, putLineage, type MemoryDeps } from './support/memory-deps.js';

let m: MemoryDeps;
beforeEach(async () => {
  m = memoryDeps({ now: () => new Date('2026-01-01T00:00:00Z') });
  await putLineage(m.store, 'shop', { currentVersion: 0 });
});

/** The Catch output for an error a handler threw, as Step Functions builds it from Lambda's error JSON. */
function caught(err: Error): { Error: string; Cause: string } {
  const thrown = toStepError(err);
  return { Error: thrown.name, Cause: JSON.stringify({ errorType: thrown.name, errorMessage: thrown.message, trace: ['at x'] }) };
}

describe('RecordFailure handler', () => {
  it('reads the ACME problem back from the Catch and emits it, with the explanation, and backs the lineage off', async () => {
    const validation = new AcmeValidationFailedError(
      [{ identifier: 'shop.example.test', problem: { type: 'urn:ietf:params:acme:error:dns', detail: 'NXDOMAIN looking up TXT' } }],
      { url: 'https://ca.test/order/1' },
    );
    const state = { lineage: 'shop', dryRun: false, skipped: false, error: caught(validation), failedStep: 'PollAuthorizations', cleanup: { cleanupErrors: [] } };
    const out = await recordFailure(m.deps)({ state, error: state.error, step: 'PollAuthorizations' });
    expect(out).toEqual({ lineage: 'shop', failed: true, error: { name: 'AcmeValidationFailedError', message: validation.message } });
    const [event] = m.events.ofType('Certificate Issuance Failed');
    expect(event).toMatchObject({
      lineage: 'shop',
      step: 'PollAuthorizations',
      error: { name: 'AcmeValidationFailedError' },
      problem: { type: 'urn:ietf:params:acme:error:dns', subproblems: [expect.objectContaining({ identifier: { type: 'dns', value: 'shop.example.test' } })] },
      failureCount: 1,
    });
    expect(event?.explanation?.en).toEqual(expect.any(String));
    expect(event?.explanation?.ja).toEqual(expect.any(String));
    expect((await m.store.getLineage('shop'))?.lineage.state.failures).toMatchObject({ count: 1, lastError: { name: 'AcmeValidationFailedError', problemType: 'urn:ietf:params:acme:error:dns' } });
  });

  it('takes the execution input as the state when PrepareOrder failed, and records nothing on a dry run', async () => {
    const state = { lineage: 'shop', dryRun: true, error: { Error: 'States.Timeout', Cause: 'timed out' }, failedStep: 'PrepareOrder' };
    await recordFailure(m.deps)({ state, error: state.error, step: 'PrepareOrder' });
    expect(m.events.ofType('Certificate Issuance Failed')).toEqual([expect.objectContaining({ lineage: 'shop', step: 'PrepareOrder', error: { name: 'States.Timeout', message: 'timed out' } })]);
    expect((await m.store.getLineage('shop'))?.lineage.state.failures).toBeUndefined();
  });

  it('still reports a failure whose failedStep was lost, as step "unknown"', async () => {
    await recordFailure(m.deps)({ state: { lineage: 'shop' }, error: { Error: 'States.TaskFailed', Cause: null } });
    expect(m.events.ofType('Certificate Issuance Failed')).toEqual([expect.objectContaining({ step: 'unknown', error: { name: 'States.TaskFailed', message: '' } })]);
  });

  it('refuses an event without the caught error', async () => {
    const err = (await recordFailure(m.deps)({ state: { lineage: 'shop' }, step: 'PublishRecords' }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('InvalidStepInputError');
    expect(m.events.events).toEqual([]);
  });
});

describe('RevokeCertificate handler', () => {
  it('revokes with the account key and answers { lineage, serialHex, reason }', async () => {
    const key = await generateAccountKey('ecdsa-p256');
    await m.keys.putAccountKey(accountIdFor(DIRECTORY_URL), { privateKeyPem: exportAccountKeyPem(key), directoryUrl: DIRECTORY_URL, accountUrl: 'https://ca.test/account/1' });
    const cert = await makeSelfSignedCertificate({ domains: ['shop.example.test'], serialHex: '7b2a' });
    m.script((method, url) => {
      if (method === 'GET' && url === DIRECTORY_URL) return acmeJson(DIRECTORY);
      if (method === 'HEAD' && url === DIRECTORY.newNonce) return new Response(null, { status: 200, headers: { 'replay-nonce': 'n1' } });
      if (method === 'POST' && url === DIRECTORY.revokeCert) return new Response(null, { status: 200, headers: { 'replay-nonce': 'n2' } });
      return undefined;
    });
    const out = await revokeCertificate(m.deps)({ lineage: 'shop', reason: 'keyCompromise', certificatePem: cert.certPem });
    expect(out).toEqual({ lineage: 'shop', serialHex: '7b2a', reason: 'keyCompromise' });
    expect(m.requests).toContain(`POST ${DIRECTORY.revokeCert}`);
    expect(m.events.ofType('Certificate Revoked')).toEqual([expect.objectContaining({ lineage: 'shop', serialHex: '7b2a', reason: 'keyCompromise' })]);
  });

  it('refuses an unknown reason before calling the CA', async () => {
    const err = (await revokeCertificate(m.deps)({ lineage: 'shop', reason: 'becauseISaidSo' }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('InvalidStepInputError');
    expect(m.requests).toEqual([]);
  });

  it('fails an unknown lineage with LineageNotFoundError', async () => {
    const err = (await revokeCertificate(m.deps)({ lineage: 'nope' }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('LineageNotFoundError');
  });
});
