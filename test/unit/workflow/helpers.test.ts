import { describe, expect, it } from 'vitest';
import { AcmeRateLimitedError } from '../../../shared/acme/index.js';
import { accountIdFor, AcmeValidationFailedError, describeError, keyTokenFor, toStepError } from '../../../shared/workflow/index.js';

describe('accountIdFor', () => {
  it('makes a readable, file-safe id from the directory URL', () => {
    expect(accountIdFor('https://acme-v02.api.letsencrypt.org/directory')).toBe('acme-v02.api.letsencrypt.org-directory');
    expect(accountIdFor('https://acme.amecert.jprs.jp/DV/getDirectory')).toBe('acme.amecert.jprs.jp-dv-getdirectory');
    expect(accountIdFor('https://127.0.0.1:14000/dir')).toBe('127.0.0.1-14000-dir');
  });
});

describe('keyTokenFor', () => {
  it('is stable per order URL and differs between orders', () => {
    expect(keyTokenFor('https://ca/order/1')).toBe(keyTokenFor('https://ca/order/1'));
    expect(keyTokenFor('https://ca/order/1')).not.toBe(keyTokenFor('https://ca/order/2'));
    expect(keyTokenFor('https://ca/order/1')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('describeError', () => {
  it('reads a thrown ACME error with its problem and Retry-After', () => {
    const err = new AcmeRateLimitedError({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'slow down' }, { retryAfterSeconds: 600 });
    expect(describeError(err)).toMatchObject({ name: 'AcmeRateLimitedError', problem: { detail: 'slow down' }, retryAfterSeconds: 600 });
  });

  it('reads a Step Functions Catch output whose Cause is a Lambda error JSON carrying a step error', () => {
    const thrown = new AcmeRateLimitedError({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'slow down' }, { retryAfterSeconds: 60 });
    const wrapped = toStepError(thrown);
    expect(wrapped.name).toBe('AcmeRateLimitedError');
    const cause = JSON.stringify({ errorType: wrapped.name, errorMessage: wrapped.message, trace: [] });
    expect(describeError({ Error: 'AcmeRateLimitedError', Cause: cause })).toEqual({
      name: 'AcmeRateLimitedError',
      message: thrown.message,
      problem: { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'slow down' },
      retryAfterSeconds: 60,
    });
    // Locally (aws-local-stepfunctions) the Cause is the message itself.
    expect(describeError({ Error: wrapped.name, Cause: wrapped.message }).problem?.detail).toBe('slow down');
    expect(describeError({ Error: 'States.Timeout', Cause: 'plain text' })).toEqual({ name: 'States.Timeout', message: 'plain text' });
  });
});

describe('AcmeValidationFailedError', () => {
  it('carries one subproblem per failed name, compound when several', () => {
    const one = new AcmeValidationFailedError([{ identifier: 'a.example', problem: { type: 'urn:ietf:params:acme:error:dns', detail: 'NXDOMAIN' } }]);
    expect(one.type).toBe('urn:ietf:params:acme:error:dns');
    expect(one.subproblems).toEqual([{ type: 'urn:ietf:params:acme:error:dns', detail: 'NXDOMAIN', identifier: { type: 'dns', value: 'a.example' } }]);
    const two = new AcmeValidationFailedError([{ identifier: 'a.example' }, { identifier: 'b.example' }]);
    expect(two.type).toBe('urn:ietf:params:acme:error:compound');
    expect(two.name).toBe('AcmeValidationFailedError');
    expect(two.message).toContain('a.example, b.example');
  });
});
