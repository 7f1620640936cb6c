import { describe, expect, it } from 'vitest';
import { DnsNotAuthoritativeError, DnsServersUnreachableError, describeRecordName } from '../../../shared/dns/errors.js';
import type { PropagationMiss } from '../../../shared/dns/propagation.js';
import { certainPropagationFailure, describeMissing, UNREACHABLE_GIVE_UP_SECONDS } from '../../../shared/dns/propagation-verdict.js';

const NAME = 'x.validation.test';
const chains = { [NAME]: ['_acme-challenge.a.example.test', NAME] };
const miss = (server: string, reason: PropagationMiss['reason'], detail?: string, value?: string): PropagationMiss => ({
  name: NAME,
  server,
  reason,
  ...(detail ? { detail } : {}),
  ...(value ? { value } : {}),
});
const report = (missing: PropagationMiss[], checkedServers = [...new Set(missing.map((m) => m.server))].filter((s) => s !== 'discovery')) => ({ missing, checkedServers });

describe('certainPropagationFailure', () => {
  it('not authoritative, for certain: every server refuses or refers elsewhere, or no zone holds the name', () => {
    const refused = certainPropagationFailure(
      report([miss('192.0.2.1:53', 'refused', 'REFUSED'), miss('192.0.2.2:53', 'error', 'referral: the server is not authoritative for this name')]),
      0,
      chains,
    );
    expect(refused).toBeInstanceOf(DnsNotAuthoritativeError);
    expect(refused?.message).toContain('_acme-challenge.a.example.test (CNAME -> x.validation.test)');
    expect(refused?.message).toContain('192.0.2.1:53 (REFUSED)');
    expect(certainPropagationFailure(report([miss('discovery', 'error', 'no zone found for x.validation.test: neither it nor any parent has NS records')]), 0)).toBeInstanceOf(
      DnsNotAuthoritativeError,
    );
  });

  it('not certain while one server answers: an absent value may still come, and a server that was fine is not in the misses', () => {
    expect(certainPropagationFailure(report([miss('192.0.2.1:53', 'refused', 'REFUSED'), miss('192.0.2.2:53', 'absent', undefined, 'v')]), 600)).toBeUndefined();
    expect(certainPropagationFailure(report([miss('192.0.2.1:53', 'refused', 'REFUSED')], ['192.0.2.1:53', '192.0.2.2:53']), 0)).toBeUndefined();
    expect(certainPropagationFailure(report([miss('192.0.2.1:53', 'servfail', 'SERVFAIL')]), 600)).toBeUndefined();
  });

  it('unreachable: no server answers (timeouts, refused connections) for a minute, not before', () => {
    const silent = report([miss('192.0.2.1:53', 'timeout'), miss('192.0.2.2:53', 'error', 'DNS exchange with 192.0.2.2:53 failed: ECONNREFUSED')]);
    expect(certainPropagationFailure(silent, UNREACHABLE_GIVE_UP_SECONDS - 1)).toBeUndefined();
    const err = certainPropagationFailure(silent, UNREACHABLE_GIVE_UP_SECONDS, chains);
    expect(err).toBeInstanceOf(DnsServersUnreachableError);
    expect(err?.name).toBe('DnsServersUnreachableError');
  });
});

describe('describeMissing and describeRecordName', () => {
  it('names each record with its CNAME chain and the servers lacking it, a few at most', () => {
    expect(describeRecordName(NAME, chains)).toBe('_acme-challenge.a.example.test (CNAME -> x.validation.test)');
    expect(describeRecordName('_acme-challenge.b.test', chains)).toBe('_acme-challenge.b.test');
    expect(describeMissing([miss('192.0.2.1:53', 'absent', undefined, 'v'), miss('192.0.2.2:53', 'timeout')], chains)).toBe(
      '_acme-challenge.a.example.test (CNAME -> x.validation.test) on 192.0.2.1:53, 192.0.2.2:53 (timeout)',
    );
    const many = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ name: `_acme-challenge.${n}.test`, server: 's:53', reason: 'absent' as const, value: 'v' }));
    expect(describeMissing(many)).toBe('_acme-challenge.a.test on s:53; _acme-challenge.b.test on s:53; _acme-challenge.c.test on s:53, and 2 more');
  });
});
