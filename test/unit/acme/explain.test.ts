import { describe, expect, it } from 'vitest';
import catalog from '../../../shared/acme/error-catalog.json' with { type: 'json' };
import { explainClientError, explainFailure, explainProblem, knownProblemTypes, languageFromEnv } from '../../../shared/acme/explain.js';

describe('explainProblem', () => {
  it('explains every type of the catalog in English and Japanese', () => {
    expect(knownProblemTypes().length).toBe(catalog.types.length);
    for (const type of knownProblemTypes()) {
      const e = explainProblem(`urn:ietf:params:acme:error:${type}`);
      expect(e.source).toBe('type');
      expect(e.en.length).toBeGreaterThan(10);
      expect(e.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it('tells the CA-specific malformed variants apart by their detail text', () => {
    const eab = explainProblem({ type: 'urn:ietf:params:acme:error:malformed', detail: 'Unable to create account' });
    expect(eab.source).toBe('variant');
    expect(eab.en).toMatch(/EAB/);
    const fqdn = explainProblem({ type: 'urn:ietf:params:acme:error:malformed', detail: 'The FQDN is invalid: [bad..example.jp]' });
    expect(fqdn.source).toBe('variant');
    expect(fqdn.ja).toBe('申請した FQDN が不正です。');
    const other = explainProblem({ type: 'urn:ietf:params:acme:error:malformed', detail: 'something else entirely' });
    expect(other.source).toBe('type');
  });

  it('falls back for unknown types, naming the type', () => {
    const e = explainProblem({ type: 'urn:example:weird', detail: 'x' });
    expect(e.source).toBe('fallback');
    expect(e.en).toContain('urn:example:weird');
    expect(e.ja).toContain('urn:example:weird');
  });

  it('accepts short and full type names', () => {
    expect(explainProblem('rateLimited').type).toBe('rateLimited');
    expect(explainProblem('urn:ietf:params:acme:error:rateLimited').en).toBe(explainProblem('rateLimited').en);
  });
});

describe('explainClientError', () => {
  it('explains the errors acmeflow raises itself for a CA or server that breaks the rules, in English and Japanese', () => {
    for (const name of ['AcmeInsecureUrlError', 'AcmeResponseTooLargeError', 'HttpResponseTooLargeError']) {
      const e = explainClientError(name);
      expect(e?.name).toBe(name);
      expect(e?.en.length).toBeGreaterThan(10);
      expect(e?.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    expect(explainClientError('NoSuchError')).toBeUndefined();
  });
});

describe('explainFailure', () => {
  it('gives the catalog entry for an error it has, in English and Japanese', () => {
    for (const name of ['Rfc2136TsigError', 'Rfc2136ZoneError', 'DnsPropagationTimeoutError', 'AcmeNetworkError', 'LineageLockedError', 'CloudAccessError', 'StackNotFoundError']) {
      const e = explainFailure(name);
      expect(e).toMatchObject({ name, source: 'catalog' });
      expect(e.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it('points any other error at its own message and -v, naming it', () => {
    const e = explainFailure('LineageConflictError');
    expect(e.source).toBe('generic');
    expect(e.en).toBe(
      'acmeflow stopped with LineageConflictError: the message above names what failed and what to change. Run the command again with -v to see each step of the workflow and its log.',
    );
    expect(e.ja).toContain('LineageConflictError');
  });
});

describe('languageFromEnv', () => {
  it('follows LC_ALL, then LC_MESSAGES, then LANG', () => {
    expect(languageFromEnv({ LANG: 'ja_JP.UTF-8' })).toBe('ja');
    expect(languageFromEnv({ LANG: 'ja_JP.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(languageFromEnv({ LC_MESSAGES: 'ja', LANG: 'en_US.UTF-8' })).toBe('ja');
    expect(languageFromEnv({})).toBe('en');
    expect(languageFromEnv({ LANG: 'jav_ID' })).toBe('en');
  });
});

describe('the DNSSEC hint', () => {
  it('is added in English and Japanese to any problem whose detail or a subproblem mentions DNSSEC, and to no other', () => {
    const signed = explainProblem({
      type: 'urn:ietf:params:acme:error:dns',
      detail: 'Validation failed for www.example.jp; check each name\u2019s _acme-challenge TXT record before retrying. The zone example.jp is DNSSEC-signed: ...',
    });
    expect(signed.en).toMatch(/^The CA had a DNS problem.*since 2026-03-15 CAs must check DNSSEC/);
    expect(signed.ja).toContain('DNSSEC で署名されています');
    const fromCa = explainProblem({
      type: 'urn:ietf:params:acme:error:compound',
      detail: 'Validation failed',
      subproblems: [{ type: 'urn:ietf:params:acme:error:unauthorized', detail: 'DNSSEC: DNSKEY Missing', identifier: { type: 'dns', value: 'a.example.jp' } }],
    });
    expect(fromCa.en).toContain('since 2026-03-15');
    expect(explainProblem({ type: 'urn:ietf:params:acme:error:dns', detail: 'SERVFAIL looking up TXT' }).en).not.toContain('DNSSEC');
  });
});
