import { describe, expect, it } from 'vitest';
import { cloudDnsFromFlags, cloudTargetFromFlags, executionName } from '../../../../cli/cloud/index.js';

describe('cloudTargetFromFlags', () => {
  it('is local mode without --stack, and cloud mode with it', () => {
    expect(cloudTargetFromFlags('renew', {})).toBeUndefined();
    expect(cloudTargetFromFlags('renew', { stack: 'Acmeflow' })).toEqual({ stackName: 'Acmeflow', wait: false });
    expect(cloudTargetFromFlags('renew', { stack: 'Acmeflow', region: 'us-gov-west-1', wait: true })).toEqual({ stackName: 'Acmeflow', region: 'us-gov-west-1', wait: true });
    const arn = 'arn:aws:cloudformation:ap-northeast-1:111122223333:stack/Acmeflow/5e0a8f70-0000-11ef-0000-0a1b2c3d4e5f';
    expect(cloudTargetFromFlags('renew', { stack: arn })?.stackName).toBe(arn);
  });

  it.each([
    [{ region: 'ap-northeast-1' }, '--region goes with --stack'],
    [{ wait: true }, '--wait goes with --stack'],
    [{ 'eab-secret': 'acmeflow/eab/jprs' }, '--eab-kid and --eab-hmac-key'],
    [{ 'dns-credentials-secret': 'acmeflow/dns/bind' }, '--dns-<provider>-credentials FILE'],
    [{ stack: 'my stack' }, 'not a CloudFormation stack name'],
    [{ stack: 'Acmeflow', region: 'tokyo' }, 'not an AWS region'],
  ])('refuses %j', (values, message) => {
    expect(() => cloudTargetFromFlags('certonly', values)).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining(message) }));
  });
});

describe('cloudDnsFromFlags', () => {
  it('keeps a secret reference for the credentials, never a file', () => {
    expect(cloudDnsFromFlags({ dns: 'rfc2136', 'dns-credentials-secret': 'acmeflow/dns/bind' })).toEqual({ provider: 'rfc2136', credentialsRef: 'acmeflow/dns/bind', config: {} });
    expect(cloudDnsFromFlags({ 'dns-route53': true, 'dns-route53-hosted-zone-id': 'Z123' })).toEqual({ provider: 'route53', config: { hostedZoneId: 'Z123' } });
  });

  it('refuses a credentials file and a provider left without credentials, saying what the secret holds', () => {
    expect(() => cloudDnsFromFlags({ dns: 'cloudflare', 'dns-cloudflare-credentials': '/etc/letsencrypt/cloudflare.ini' })).toThrow(/local credential files are not read.*"apiToken".*--dns-credentials-secret NAME/);
    expect(() => cloudDnsFromFlags({ dns: 'rfc2136' })).toThrow(/rfc2136 provider needs credentials.*"tsig".*--dns-credentials-secret NAME/);
    expect(() => cloudDnsFromFlags({ dns: 'rfc2136', 'dns-credentials-secret': 'key with spaces' })).toThrow(/name or ARN of a Secrets Manager secret/);
    expect(() => cloudDnsFromFlags({ dns: 'nosuchdns' })).toThrow(/Known providers/);
  });
});

describe('executionName', () => {
  it('is readable, unique per second and at most 80 characters', () => {
    const at = new Date('2026-03-04T05:06:07.890Z');
    expect(executionName('certonly', 'example.com', at)).toBe('certonly-example.com-20260304T050607Z');
    expect(executionName('renew', undefined, at)).toBe('renew-20260304T050607Z');
    const long = executionName('certonly', `${'a'.repeat(120)}.example.com`, at);
    expect(long).toHaveLength(80);
    expect(long).toMatch(/^certonly-a+-20260304T050607Z$/);
  });
});
