/**
 * Each verb against a fake Backend: flags become one request, the backend is called once, and the
 * outcome is printed — the same code whether the outcome came from this machine or from a stack
 * (the verbs cannot tell: they never ask).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVerbArgs, type OptionSpec } from '../../../../cli/args.js';
import type { IssueOutcome, IssueRequest, RenewRequest, RevokeRequest } from '../../../../cli/backend/index.js';
import { certificates } from '../../../../cli/commands/certificates.js';
import { certonly } from '../../../../cli/commands/certonly.js';
import { register } from '../../../../cli/commands/register.js';
import { renew } from '../../../../cli/commands/renew.js';
import { revoke } from '../../../../cli/commands/revoke.js';
import type { Verb } from '../../../../cli/commands/verb.js';
import { Output } from '../../../../cli/output.js';
import { explainFailure, explainProblem } from '../../../../shared/acme/index.js';
import { makeSelfSignedCertificate } from '../../../support/certs.js';
import { FakeBackend, type FakeAnswers } from '../backend/fake-backend.js';

async function runOn<O extends OptionSpec>(verb: Verb<O>, argv: string[], answers: FakeAnswers, backend = new FakeBackend(answers)) {
  let out = '';
  let err = '';
  const env = { LANG: 'C' };
  const { values } = parseVerbArgs(verb.name, argv, verb.options);
  const code = await verb.run(values, backend, {
    env,
    out: new Output({ write: (s: string) => (out += s) }, { write: (s: string) => (err += s) }, env),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  return { code, out, err, calls: backend.calls };
}

const EXECUTION = { stack: 'Acmeflow', region: 'ap-northeast-1', executionArn: 'arn:aws:states:ap-northeast-1:111122223333:execution:Issuance:certonly-x', executionName: 'certonly-x' };

describe('certonly on a fake backend', () => {
  const argv = ['-d', 'Example.COM,www.example.com', '--dns', 'route53', '--server', 'https://acme.test/directory', '--agree-tos', '-m', 'ops@example.com'];

  it('turns the flags into one issue request and prints a stored certificate in certbot\u2019s words', async () => {
    const saved = { certificate: '/etc/acmeflow/live/example.com/fullchain.pem', key: '/etc/acmeflow/live/example.com/privkey.pem', json: {} };
    const r = await runOn(certonly, argv, { issue: { status: 'SUCCEEDED', lineage: 'example.com', dryRun: false, version: 1, notAfter: '2026-06-30T00:00:00Z', saved } });
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c.method)).toEqual(['dnsFromFlags', 'issue']);
    const request = r.calls[1]?.request as IssueRequest;
    expect(request.spec).toMatchObject({ name: 'example.com', domains: ['example.com', 'www.example.com'], ca: { directoryUrl: 'https://acme.test/directory', termsOfServiceAgreed: true } });
    expect(request).toMatchObject({ force: false, dryRun: false, json: false, keyTypeDefaulted: true, account: { agreeTos: true, email: 'ops@example.com' } });
    expect(r.out).toBe(
      'Successfully received certificate.\n' +
        'Certificate is saved at: /etc/acmeflow/live/example.com/fullchain.pem\n' +
        'Key is saved at:         /etc/acmeflow/live/example.com/privkey.pem\n' +
        'This certificate expires on 2026-06-30.\n',
    );
  });

  it('prints an execution still running, and its JSON with --json', async () => {
    const running: IssueOutcome = { status: 'RUNNING', lineage: 'example.com', execution: { ...EXECUTION, lineageUrl: 's3://bucket/renewal/example.com.json' } };
    const text = await runOn(certonly, argv, { issue: running });
    expect(text.code).toBe(0);
    expect(text.out).toContain('add --wait to follow it here');
    const json = await runOn(certonly, [...argv, '--json'], { issue: running });
    expect(JSON.parse(json.out)).toEqual({ lineage: 'example.com', ...EXECUTION, lineageUrl: 's3://bucket/renewal/example.com.json', status: 'RUNNING' });
  });

  it('exits 1 on a failure, with the execution line only when there is an execution, the notes after it, and ends with the explanation', async () => {
    const error = { name: 'DnsPropagationTimeoutError', message: 'The records did not reach every nameserver.', step: 'CheckPropagation' };
    const here = await runOn(certonly, argv, { issue: { status: 'FAILED', lineage: 'example.com', dryRun: false, error, notes: ['Kept the lineage example.com'] } });
    expect(here.code).toBe(1);
    expect(here.err).toBe(
      'Certificate for example.com failed: DnsPropagationTimeoutError.\n  The records did not reach every nameserver.\nKept the lineage example.com\n' +
        `  ${explainFailure('DnsPropagationTimeoutError').en}\n  More: acmeflow explain DnsPropagationTimeoutError\n`,
    );
    const there = await runOn(certonly, argv, { issue: { status: 'FAILED', lineage: 'example.com', dryRun: false, error, execution: { ...EXECUTION, lineageUrl: 's3://b/r', status: 'FAILED' } } });
    expect(there.code).toBe(1);
    expect(there.err).toContain(`  Execution FAILED in CheckPropagation: ${EXECUTION.executionArn}`);
    expect(there.err.trimEnd().split('\n').at(-1)).toBe('  More: acmeflow explain DnsPropagationTimeoutError');
  });

  it('refuses bad input before asking the backend to issue', async () => {
    const backend = new FakeBackend({});
    await expect(runOn(certonly, ['--dns', 'route53'], {}, backend)).rejects.toMatchObject({ name: 'UsageError', message: expect.stringContaining('-d example.com') });
    await expect(runOn(certonly, [...argv, '--deploy-delay', '90000'], {}, backend)).rejects.toThrow('--deploy-delay 90000: give whole seconds');
    expect(backend.calls.map((c) => c.method)).toEqual(['dnsFromFlags']);
  });
});

describe('renew, revoke, certificates and register on a fake backend', () => {
  it('renew: one request with the hooks, and the sweep\u2019s report', async () => {
    const r = await runOn(renew, ['--cert-name', 'a.example', '--deploy-hook', 'reload', '--dry-run'], {
      renew: {
        status: 'SUCCEEDED',
        dryRun: true,
        attempted: 1,
        renewed: ['a.example'],
        failed: [],
        skipped: 0,
        results: [{ lineage: 'a.example', status: 'succeeded' }],
        notDue: [],
        json: {},
      },
    });
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c.method)).toEqual(['renew']);
    expect(r.calls[0]?.request as RenewRequest).toEqual({ names: ['a.example'], force: false, dryRun: true, json: false, hooks: { deployHook: 'reload' } });
    expect(r.out).toBe('Renewed a.example: the dry run was successful.\nCongratulations, all simulated renewals succeeded: a.example\n');
  });

  it('renew: a renewal the CA asked for early prints its explanation URL', async () => {
    const r = await runOn(renew, ['--cert-name', 'a.example'], {
      renew: {
        status: 'SUCCEEDED',
        dryRun: false,
        attempted: 1,
        renewed: ['a.example'],
        failed: [],
        skipped: 0,
        results: [{ lineage: 'a.example', status: 'succeeded', version: 3, notAfter: '2026-06-01T00:00:00Z', ariExplanationURL: 'https://ca.test/incident/42' }],
        notDue: [],
        json: {},
      },
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Renewed a.example: version 3, expires 2026-06-01.\n  The CA asked for this renewal early; its explanation: https://ca.test/incident/42\n');
  });

  it('renew: a lineage another run holds, or whose account is at the CA limit, is said so and is no failure', async () => {
    const r = await runOn(renew, [], {
      renew: {
        status: 'SUCCEEDED',
        dryRun: false,
        attempted: 0,
        renewed: [],
        failed: [],
        skipped: 0,
        results: [
          { lineage: 'a.example', status: 'skipped', skipReason: 'locked' },
          { lineage: 'b.example', status: 'skipped', skipReason: 'onHold' },
        ],
        notDue: [],
        json: {},
      },
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain('a.example: another run is renewing it right now; nothing to do.\n');
    expect(r.out).toContain("b.example: the CA's limit on new orders for this account is reached; the next renew tries again.\n");
  });

  it('renew: a failed lineage with the failure it recorded exits 1', async () => {
    const recorded = { count: 2, lastFailureAt: '2026-01-01T00:00:00Z', retryNotBefore: '2026-01-01T02:00:00Z', lastError: { name: 'AcmeProblemError', message: 'rejected' }, lineageUrl: 's3://b/renewal/a.example.json' };
    const r = await runOn(renew, [], { renew: { status: 'SUCCEEDED', dryRun: false, attempted: 1, renewed: [], failed: ['a.example'], skipped: 3, results: [{ lineage: 'a.example', status: 'failed', recorded }], listCommand: 'acmeflow certificates --stack Acmeflow', json: {} } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('  Next try after 2026-01-01T02:00:00Z (failure 2); lineage s3://b/renewal/a.example.json');
    // No problem type recorded: the failure still ends with what its error means (the summary line comes first).
    expect(r.err.split('\n')[0]).toBe('1 renewal(s) failed: a.example');
    expect(r.err.trimEnd().split('\n').slice(-2)).toEqual([`  ${explainFailure('AcmeProblemError').en}`, '  More: acmeflow explain AcmeProblemError']);
    expect(r.out).toContain('3 certificate(s) not due for renewal yet (skipped); see "acmeflow certificates --stack Acmeflow".');
  });

  it('revoke: the reason and the certificate file are read at the edge, then one call', async () => {
    const work = await mkdtemp(join(tmpdir(), 'acmeflow-fake-revoke-'));
    try {
      const leaf = await makeSelfSignedCertificate({ domains: ['a.example'] });
      const path = join(work, 'cert.pem');
      await writeFile(path, leaf.certPem);
      const r = await runOn(revoke, ['--cert-path', path, '--reason', 'keyCompromise'], { revoke: { status: 'SUCCEEDED', lineage: 'a.example', location: path, serialHex: '0a', reason: 'keyCompromise' } });
      expect(r.code).toBe(0);
      expect(r.calls[0]?.request as RevokeRequest).toMatchObject({ certificate: { path, pem: leaf.certPem }, reason: 'keyCompromise', json: false });
      expect(r.out).toBe(`Congratulations! You have successfully revoked the certificate that was located at ${path} (serial 0a, reason keyCompromise).\n`);
      await expect(runOn(revoke, ['--cert-name', 'a.example', '--reason', 'because'], {})).rejects.toThrow('--reason because');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('revoke: a failed revocation ends with the explanation and the explain line, with or without a problem from the CA', async () => {
    const execution = { ...EXECUTION, status: 'FAILED' as const };
    const problem = { type: 'urn:ietf:params:acme:error:alreadyRevoked', detail: 'Certificate has already been revoked.', status: 400 };
    const refused = await runOn(revoke, ['--cert-name', 'a.example'], { revoke: { status: 'FAILED', lineage: 'a.example', execution, error: { name: 'AcmeProblemError', message: 'x', problem } } });
    expect(refused.code).toBe(1);
    expect(refused.err.trimEnd().split('\n').slice(-2)).toEqual([`  ${explainProblem(problem).en}`, '  More: acmeflow explain alreadyRevoked']);
    const lost = await runOn(revoke, ['--cert-name', 'a.example'], { revoke: { status: 'FAILED', lineage: 'a.example', execution, error: { name: 'KeyNotFoundError', message: 'No key.' } } });
    expect(lost.code).toBe(1);
    expect(lost.err).toBe(`The revocation certonly-x failed: KeyNotFoundError.\n  No key.\n  ${explainFailure('KeyNotFoundError').en}\n  More: acmeflow explain KeyNotFoundError\n`);
  });

  it('certificates: the listing where the backend found it', async () => {
    const r = await runOn(certificates, [], { listCertificates: { where: { configDir: '/x' }, place: '/x', rows: [] } });
    expect(r.out).toBe('No certificates found in /x.\n');
    const json = await runOn(certificates, ['--json', '--cert-name', 'a.example'], { listCertificates: { where: { configDir: '/x' }, place: '/x', rows: [{ name: 'a.example', error: 'broken' }] } });
    expect(json.calls[0]?.request).toEqual({ name: 'a.example' });
    expect(JSON.parse(json.out)).toEqual({ configDir: '/x', certificates: [{ name: 'a.example', error: 'broken' }] });
  });

  it('register: a duplicate account exits 1', async () => {
    const r = await runOn(register, ['--server', 'https://acme.test/directory', '--agree-tos'], { register: { accountUrl: 'https://acme.test/acct/1', created: false, directoryUrl: 'https://acme.test/directory' } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('There is an existing account with https://acme.test/directory (https://acme.test/acct/1)');
    expect(r.calls).toEqual([{ method: 'register', request: { directoryUrl: 'https://acme.test/directory' } }]);
  });
});

describe('failed hooks: exit 1, each said with its command and exit code, in text and in --json', () => {
  const failures = [
    { hook: 'pre-hook' as const, command: 'exit 6', exitCode: 6, signal: null, stderrTail: '' },
    { hook: 'deploy-hook' as const, command: 'exit 4', exitCode: 4, signal: null, stderrTail: 'no nginx here', lineage: 'a.example' },
    { hook: 'post-hook' as const, command: 'exit 5', exitCode: 5, signal: null, stderrTail: '' },
  ];
  const asJson = [
    { hook: 'pre-hook', command: 'exit 6', exitCode: 6, signal: null },
    { hook: 'deploy-hook', command: 'exit 4', exitCode: 4, signal: null, lineage: 'a.example' },
    { hook: 'post-hook', command: 'exit 5', exitCode: 5, signal: null },
  ];
  const renewed = { status: 'SUCCEEDED' as const, dryRun: false, attempted: 1, renewed: ['a.example'], failed: [], skipped: 0, results: [{ lineage: 'a.example', status: 'succeeded' as const, version: 2 }], notDue: [], json: { attempted: 1 }, hookFailures: failures };

  it('renew: no "Congratulations", each hook on stderr, exit 1', async () => {
    const r = await runOn(renew, ['--pre-hook', 'exit 6', '--deploy-hook', 'exit 4', '--post-hook', 'exit 5'], { renew: renewed });
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('Congratulations');
    expect(r.err).toContain('All renewals succeeded (a.example), but 3 hook(s) failed:');
    expect(r.err).toContain('Hook failed: pre-hook `exit 6` exited with code 6\n');
    expect(r.err).toContain('Hook failed: deploy-hook `exit 4` for a.example exited with code 4: no nginx here\n');
    expect(r.err).toContain('Hook failed: post-hook `exit 5` exited with code 5\n');
    const json = await runOn(renew, ['--json'], { renew: renewed });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({ attempted: 1, hookFailures: asJson });
  });

  it('certonly: the certificate is saved all the same, and the command exits 1', async () => {
    const argv = ['-d', 'a.example', '--dns', 'route53', '--server', 'https://acme.test/directory', '--agree-tos'];
    const issued: IssueOutcome = { status: 'SUCCEEDED', lineage: 'a.example', dryRun: false, version: 1, hookFailures: failures.slice(1, 2) };
    const text = await runOn(certonly, argv, { issue: issued });
    expect(text.code).toBe(1);
    expect(text.out).toContain('Successfully received certificate.');
    expect(text.err).toBe('Hook failed: deploy-hook `exit 4` for a.example exited with code 4: no nginx here\n');
    const json = await runOn(certonly, [...argv, '--json'], { issue: issued });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ lineage: 'a.example', status: 'SUCCEEDED', hookFailures: [asJson[1]] });
  });

  it('certonly: --pre-hook, --deploy-hook and --post-hook go into the lineage, to be kept for renewals', async () => {
    const argv = ['-d', 'a.example', '--dns', 'route53', '--server', 'https://acme.test/directory', '--agree-tos', '--pre-hook', 'stop', '--deploy-hook', 'reload', '--post-hook', 'start'];
    const r = await runOn(certonly, argv, { issue: { status: 'SUCCEEDED', lineage: 'a.example', dryRun: false } });
    expect((r.calls[1]!.request as IssueRequest).spec.hooks).toEqual({ preHook: 'stop', deployHook: 'reload', postHook: 'start' });
  });

  it('register: a duplicate account is still one JSON document with --json', async () => {
    const r = await runOn(register, ['--server', 'https://acme.test/directory', '--agree-tos', '--json'], { register: { accountUrl: 'https://acme.test/acct/1', created: false, directoryUrl: 'https://acme.test/directory' } });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({ registered: false, accountUrl: 'https://acme.test/acct/1', directoryUrl: 'https://acme.test/directory', profiles: {} });
  });
});
