import { describe, expect, it } from 'vitest';
import { failureOf, issuanceOutcome, livePaths } from '../../../engine/index.js';
import { AcmeProblemError } from '../../../shared/acme/index.js';
import { toStepError } from '../../../shared/workflow/index.js';

const problem = { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many certificates', status: 429 };

describe('outcomes', () => {
  it('reads the ACME problem back from a Catch and explains it in English and Japanese', () => {
    const wrapped = toStepError(new AcmeProblemError(problem));
    const failure = failureOf({ Error: wrapped.name, Cause: wrapped.message }, 'FinalizeOrder');
    expect(failure).toMatchObject({ name: 'AcmeProblemError', step: 'FinalizeOrder', problem });
    expect(failure.explanation?.en).toEqual(expect.any(String));
    expect(failure.explanation?.ja).toEqual(expect.any(String));
    expect(failure.explanation?.en).not.toBe(failure.explanation?.ja);
    // A plain Cause has no problem, hence no explanation.
    expect(failureOf({ Error: 'States.Timeout', Cause: 'late' })).toEqual({ name: 'States.Timeout', message: 'late' });
  });

  it('builds an issuance outcome from a succeeded, skipped, dry-run or failed execution', () => {
    const configDir = '/etc/acmeflow';
    const result = { version: 3, serialHex: '0a', notBefore: 'x', notAfter: '2030-01-01T00:00:00.000Z', domains: ['a'], location: 'l', keyLocation: 'k' };
    const ok = issuanceOutcome({ lineage: 'a', result: { status: 'succeeded', executionName: 'e', output: { skipped: false, result } } }, { configDir, dryRun: false });
    expect(ok).toEqual({ status: 'succeeded', lineage: 'a', dryRun: false, executionName: 'e', version: 3, serialHex: '0a', notAfter: result.notAfter, paths: livePaths(configDir, 'a') });
    expect(ok.paths?.privkey).toBe('/etc/acmeflow/live/a/privkey.pem');
    const dry = issuanceOutcome({ lineage: 'a', result: { status: 'succeeded', executionName: 'e', output: { result: { ...result, version: 0 } } } }, { configDir, dryRun: true });
    expect(dry).toEqual({ status: 'succeeded', lineage: 'a', dryRun: true, executionName: 'e', serialHex: '0a', notAfter: result.notAfter });
    expect(issuanceOutcome({ lineage: 'a', result: { status: 'succeeded', executionName: 'e', output: { skipped: true } } }, { configDir, dryRun: false }).status).toBe('skipped');
    const wrapped = toStepError(new AcmeProblemError(problem));
    const failed = issuanceOutcome(
      {
        lineage: 'a',
        result: { status: 'failed', executionName: 'e', error: 'IssuanceFailed', cause: 'See the event' },
        recordFailureInput: { step: 'PrepareOrder', error: { Error: wrapped.name, Cause: wrapped.message } },
      },
      { configDir, dryRun: false },
    );
    expect(failed).toMatchObject({ status: 'failed', error: { name: 'AcmeProblemError', step: 'PrepareOrder', problem } });
    const uncaught = issuanceOutcome({ lineage: 'a', result: { status: 'failed', executionName: 'e', error: 'EventPublishError', cause: '{"message":"bus down"}' } }, { configDir, dryRun: false });
    expect(uncaught.error).toEqual({ name: 'EventPublishError', message: 'bus down' });
  });
});
