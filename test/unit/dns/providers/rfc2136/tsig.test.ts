import { createHmac, randomBytes } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  decodeTsigSecret,
  parseTsigAlgorithm,
  readTsig,
  signMessage,
  TSIG_ALGORITHMS,
  verifyMessage,
  type TsigKey,
} from '../../../../../shared/dns/providers/rfc2136/tsig.js';

const KEY: TsigKey = { name: 'acmeflow-test.', algorithm: 'hmac-sha256', secret: Buffer.from('0123456789abcdef0123456789abcdef').toString('base64') };
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function query(id = 0xbeef): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type: 'SOA', class: 'IN', name: 'example.test' }] });
}

/** The same question turned into a response, as a server would send it. */
function responseTo(request: Buffer): Buffer {
  const decoded = dnsPacket.decode(request);
  return dnsPacket.encode({ type: 'response', id: decoded.id ?? 0, flags: 1 << 15, questions: decoded.questions ?? [] });
}

/** Wire name built by hand, independently of the code under test. */
function wireName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  return Buffer.concat([...labels.flatMap((label) => [Buffer.from([label.length]), Buffer.from(label)]), Buffer.from([0])]);
}

describe('signMessage', () => {
  it('computes the RFC 8945 §4.3.3 MAC over message and TSIG variables', () => {
    const message = query();
    const { mac } = signMessage(message, KEY, { now: NOW });
    const time = Buffer.alloc(6);
    time.writeUIntBE(Math.floor(NOW / 1000), 0, 6);
    const expected = createHmac('sha256', Buffer.from(KEY.secret, 'base64'))
      .update(message)
      .update(wireName('acmeflow-test'))
      .update(Buffer.from([0x00, 0xff, 0, 0, 0, 0])) // class ANY, TTL 0
      .update(wireName('hmac-sha256'))
      .update(time)
      .update(Buffer.from([0x01, 0x2c, 0, 0, 0, 0])) // fudge 300, error 0, other len 0
      .digest();
    expect(mac.equals(expected)).toBe(true);
  });

  it('appends a TSIG record dns-packet can decode, and bumps ARCOUNT', () => {
    const { message } = signMessage(query(0x1234), KEY, { now: NOW });
    const decoded = dnsPacket.decode(message);
    expect(decoded.id).toBe(0x1234);
    expect(decoded.additionals).toHaveLength(1);
    expect(decoded.additionals![0]).toMatchObject({ type: 'TSIG', name: 'acmeflow-test', class: 'ANY', ttl: 0 });
    const tsig = readTsig(message)!.record;
    expect(tsig).toMatchObject({ keyName: 'acmeflow-test', algorithm: 'hmac-sha256', timeSigned: Math.floor(NOW / 1000), fudge: 300, originalId: 0x1234, error: 0 });
    expect(tsig.mac).toHaveLength(32);
  });

  it('uses the long HMAC-MD5 algorithm name (RFC 8945 §6)', () => {
    const { message } = signMessage(query(), { ...KEY, algorithm: 'hmac-md5' }, { now: NOW });
    expect(readTsig(message)!.record.algorithm).toBe('hmac-md5.sig-alg.reg.int');
  });

  it('never puts the secret into an error', () => {
    const bad = { ...KEY, secret: 'not base64!!' };
    expect(() => signMessage(query(), bad)).toThrow(/acmeflow-test/);
    try {
      signMessage(query(), bad);
    } catch (error) {
      expect(String(error)).not.toContain('not base64!!');
    }
  });
});

describe('verifyMessage', () => {
  for (const algorithm of TSIG_ALGORITHMS) {
    it(`accepts a response signed over the request MAC (${algorithm})`, () => {
      const key = { ...KEY, algorithm, secret: randomBytes(32).toString('base64') };
      const request = signMessage(query(), key, { now: NOW });
      const response = signMessage(responseTo(request.message), key, { now: NOW + 1000, requestMac: request.mac });
      const result = verifyMessage(response.message, key, request.mac, { now: NOW + 2000 });
      expect(result).toMatchObject({ ok: true, record: { error: 0 } });
    });
  }

  it('rejects a tampered response', () => {
    const request = signMessage(query(), KEY, { now: NOW });
    const response = signMessage(responseTo(request.message), KEY, { now: NOW, requestMac: request.mac }).message;
    const tampered = Buffer.from(response);
    tampered[3] = (tampered[3]! & 0xf0) | 5; // NOERROR -> REFUSED
    expect(verifyMessage(tampered, KEY, request.mac, { now: NOW })).toMatchObject({ ok: false, failure: 'bad-mac' });
  });

  it('rejects a response that is not bound to our request', () => {
    const request = signMessage(query(), KEY, { now: NOW });
    const other = signMessage(query(), KEY, { now: NOW + 1000 });
    const response = signMessage(responseTo(request.message), KEY, { now: NOW, requestMac: other.mac }).message;
    expect(verifyMessage(response, KEY, request.mac, { now: NOW })).toMatchObject({ ok: false, failure: 'bad-mac' });
  });

  it('rejects another secret, another key name, no signature, and a stale time', () => {
    const request = signMessage(query(), KEY, { now: NOW });
    const response = signMessage(responseTo(request.message), KEY, { now: NOW, requestMac: request.mac }).message;
    expect(verifyMessage(response, { ...KEY, secret: randomBytes(32).toString('base64') }, request.mac, { now: NOW })).toMatchObject({ failure: 'bad-mac' });
    expect(verifyMessage(response, { ...KEY, name: 'other-key' }, request.mac, { now: NOW })).toMatchObject({ failure: 'wrong-key' });
    expect(verifyMessage(responseTo(request.message), KEY, request.mac, { now: NOW })).toMatchObject({ failure: 'unsigned' });
    expect(verifyMessage(response, KEY, request.mac, { now: NOW + 301_000 })).toMatchObject({ failure: 'bad-time' });
    expect(verifyMessage(response, KEY, request.mac, { now: NOW + 299_000 })).toMatchObject({ ok: true });
  });

  it('restores the original ID before verifying (RFC 8945 §5.3)', () => {
    const request = signMessage(query(0x1111), KEY, { now: NOW });
    const response = Buffer.from(signMessage(responseTo(request.message), KEY, { now: NOW, requestMac: request.mac }).message);
    response.writeUInt16BE(0x2222, 0); // a forwarder changed the ID
    expect(verifyMessage(response, KEY, request.mac, { now: NOW })).toMatchObject({ ok: true });
  });

  it('reports a TSIG error from the server (BADSIG) as server-error', () => {
    const request = signMessage(query(), KEY, { now: NOW });
    // What a server sends for a bad signature: NOTAUTH, TSIG with error BADSIG and no MAC (RFC 8945 §5.2.2).
    const response = responseTo(request.message);
    response.writeUInt16BE(0x8009, 2);
    const tsig = Buffer.concat([
      wireName('acmeflow-test'),
      Buffer.from([0, 250, 0, 255, 0, 0, 0, 0]),
    ]);
    const rdata = Buffer.concat([wireName('hmac-sha256'), Buffer.alloc(6), Buffer.from([1, 44, 0, 0]), Buffer.from([0xbe, 0xef, 0, 16, 0, 0])]);
    rdata.writeUIntBE(Math.floor(NOW / 1000), wireName('hmac-sha256').length, 6);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(rdata.length);
    const message = Buffer.concat([response, tsig, length, rdata]);
    message.writeUInt16BE(1, 10);
    expect(verifyMessage(message, KEY, request.mac, { now: NOW })).toMatchObject({ ok: false, failure: 'server-error', record: { error: 16 } });
  });
});

describe('algorithms and secrets', () => {
  it('parses the spellings configs use', () => {
    expect(parseTsigAlgorithm('HMAC-SHA512')).toBe('hmac-sha512');
    expect(parseTsigAlgorithm('hmac-sha256.')).toBe('hmac-sha256');
    expect(parseTsigAlgorithm('HMAC-MD5.SIG-ALG.REG.INT')).toBe('hmac-md5');
    expect(parseTsigAlgorithm('hmac-sha3')).toBeUndefined();
  });

  it('accepts base64 with whitespace and rejects the rest', () => {
    expect(decodeTsigSecret('AAEC AwQF')?.toString('hex')).toBe('000102030405');
    expect(decodeTsigSecret('AAECAwQ')).toBeUndefined();
    expect(decodeTsigSecret('!!!!')).toBeUndefined();
    expect(decodeTsigSecret('')).toBeUndefined();
  });
});
