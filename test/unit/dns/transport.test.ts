import { afterEach, describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { encodeQuery } from '../../../shared/dns/query-message.js';
import { udpTcpTransport } from '../../../shared/dns/transport.js';
import { startFakeDnsServer, txt, type FakeDnsServer } from './support/fake-dns-server.js';

let server: FakeDnsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('udpTcpTransport', () => {
  it('asks over UDP and returns the matching response', async () => {
    server = await startFakeDnsServer(() => ({ answers: [txt('a.example.test', 'v')] }));
    const query = encodeQuery('a.example.test', 'TXT', { id: 4242 });
    const response = await udpTcpTransport.exchange(server, query, { timeoutMs: 1000 });
    expect(response.readUInt16BE(0)).toBe(4242);
    expect(server.received.map((entry) => entry.transport)).toEqual(['udp']);
    expect(server.received[0]!.query.flag_rd).toBe(false);
  });

  it('retries over TCP when the UDP answer is truncated (RFC 7766 §5)', async () => {
    server = await startFakeDnsServer((_query, { transport }) =>
      transport === 'udp' ? { tc: true } : { answers: [txt('a.example.test', 'over-tcp')] },
    );
    const response = dnsPacket.decode(await udpTcpTransport.exchange(server, encodeQuery('a.example.test', 'TXT'), { timeoutMs: 1000 }));
    expect(server.received.map((entry) => entry.transport)).toEqual(['udp', 'tcp']);
    expect(String((response.answers![0] as { data: Buffer[] }).data[0])).toBe('over-tcp');
  });

  it('goes straight to TCP for messages over 512 octets', async () => {
    server = await startFakeDnsServer(() => ({}));
    const big = Buffer.concat([encodeQuery('a.example.test', 'TXT', { ednsPayload: 0 }), Buffer.alloc(600)]);
    await udpTcpTransport.exchange(server, big, { timeoutMs: 1000 }).catch(() => undefined);
    expect(server.received[0]?.transport).toBe('tcp');
  });

  it('ignores responses with another ID, then times out with a typed error', async () => {
    server = await startFakeDnsServer((query) => {
      const wrong = dnsPacket.encode({ type: 'response', id: ((query.id ?? 0) + 1) & 0xffff, flags: 1 << 15, questions: query.questions ?? [] });
      return wrong;
    });
    const started = Date.now();
    await expect(udpTcpTransport.exchange(server, encodeQuery('a.example.test', 'TXT'), { timeoutMs: 150 })).rejects.toMatchObject({
      name: 'DnsQueryTimeoutError',
      server: server.server,
      timeoutMs: 150,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports a closed port as a transport error without waiting for the timeout', async () => {
    server = await startFakeDnsServer(() => 'drop');
    const { host, port } = server;
    await server.close();
    server = undefined;
    const started = Date.now();
    await expect(udpTcpTransport.exchange({ host, port }, encodeQuery('a.example.test', 'TXT'), { timeoutMs: 2000 })).rejects.toMatchObject({
      name: 'DnsTransportError',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
