import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, redactLogFields, type LogSink } from '../../../functions/runtime/logger.js';

const PEM_KEY = ['-----BEGIN PRIVATE KEY-----', 'MC4CAQAwBQYDK2VwBCIEIGhlbGxvIHdvcmxkIGhlbGxvIHdvcmxkIGhlbGxvIQ==', '-----END PRIVATE KEY-----'].join('\n');

function recordingSink() {
  const lines: { level: string; message: string; extra: Record<string, unknown>[] }[] = [];
  const sink: LogSink = {
    info: (message, ...extra) => lines.push({ level: 'info', message, extra }),
    warn: (message, ...extra) => lines.push({ level: 'warn', message, extra }),
    error: (message, ...extra) => lines.push({ level: 'error', message, extra }),
  };
  return { sink, lines };
}

describe('redactLogFields', () => {
  it('drops fields named like secrets and keeps public ones', () => {
    const out = redactLogFields({
      lineage: 'example.com',
      keyLocation: 'acmeflow/cert/example.com',
      hmacKey: 'c2VjcmV0',
      secret: 'x',
      apiToken: 'y',
      password: 'z',
      privateKey: 'k',
      tsig_secret: 's',
    });
    expect(out.fields).toEqual({ lineage: 'example.com', keyLocation: 'acmeflow/cert/example.com' });
    expect(out.redacted.sort()).toEqual(['apiToken', 'hmacKey', 'password', 'privateKey', 'secret', 'tsig_secret']);
  });

  it('drops a field whose value holds a PEM private key or a secret field anywhere inside', () => {
    const out = redactLogFields({
      chain: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      dump: { nested: [{ pem: PEM_KEY }] },
      config: { server: '192.0.2.53', tsig: { name: 'k', secret: 'AAAA' } },
      jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'private' },
      err: new Error(`could not parse ${PEM_KEY}`),
      fine: new Error('the CA said no'),
    });
    expect(Object.keys(out.fields).sort()).toEqual(['chain', 'fine']);
    expect(out.redacted.sort()).toEqual(['config', 'dump', 'err', 'jwk']);
  });
});

describe('createLogger', () => {
  it('passes public fields through to the sink and lists what it dropped', () => {
    const { sink, lines } = recordingSink();
    const log = createLogger({ sink });
    log.info('Published challenge records.', { lineage: 'example.com', records: ['_acme-challenge.example.com'] });
    log.warn('Something odd.', { lineage: 'example.com', hmacKey: 'c2VjcmV0' });
    log.error('No fields.');
    expect(lines).toEqual([
      { level: 'info', message: 'Published challenge records.', extra: [{ lineage: 'example.com', records: ['_acme-challenge.example.com'] }] },
      { level: 'warn', message: 'Something odd.', extra: [{ lineage: 'example.com', redacted: ['hmacKey'] }] },
      { level: 'error', message: 'No fields.', extra: [] },
    ]);
  });

  it('replaces a message that holds a private key', () => {
    const { sink, lines } = recordingSink();
    createLogger({ sink }).error(`bad key ${PEM_KEY}`);
    expect(lines[0]?.message).not.toContain('PRIVATE KEY');
    expect(lines[0]?.message).toMatch(/redacted/);
  });

  describe('on Powertools', () => {
    afterEach(() => vi.restoreAllMocks());

    it('writes one JSON line per entry with service acmeflow, the message and the safe fields', () => {
      const written: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
      const log = createLogger();
      log.info('Account registered.', { directoryUrl: 'https://ca.test/dir', accountUrl: 'https://ca.test/acct/1', hmacKey: 'c2VjcmV0' });
      const line = written.map((w) => w.trim()).find((w) => w.includes('Account registered.'));
      expect(line).toBeDefined();
      const parsed = JSON.parse(line as string) as Record<string, unknown>;
      expect(parsed).toMatchObject({ level: 'INFO', message: 'Account registered.', service: 'acmeflow', accountUrl: 'https://ca.test/acct/1', redacted: ['hmacKey'] });
      expect(line).not.toContain('c2VjcmV0');
    });
  });
});
