import { describe, expect, it } from 'vitest';
import { rateLimitScope } from '../../../shared/acme/rate-limit-scope.js';

const limited = (detail: string) => ({ type: 'urn:ietf:params:acme:error:rateLimited', detail });

describe('rateLimitScope (RFC 8555 §6.6: which limit a rateLimited problem names)', () => {
  it("holds the account for a limit on the account's own orders", () => {
    expect(rateLimitScope(limited('too many new orders (300) created by account in the last 3h0m0s, retry after 2027-01-01 10:00:00 UTC'))).toBe('account');
    expect(rateLimitScope(limited('Rate limit for new orders per account exceeded'))).toBe('account');
    expect(rateLimitScope(limited('too many requests by this account'))).toBe('account');
  });

  it("holds only the lineage for a limit on the order's names, and when the CA says nothing", () => {
    expect(rateLimitScope(limited('too many certificates (50) already issued for "example.jp" in the last 168h0m0s'))).toBe('lineage');
    expect(rateLimitScope(limited('too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s'))).toBe('lineage');
    expect(rateLimitScope(limited('too many failed authorizations (5) for "www.example.jp" in the last 1h0m0s'))).toBe('lineage');
    expect(rateLimitScope(limited(''))).toBe('lineage');
    expect(rateLimitScope(undefined)).toBe('lineage');
  });
});
