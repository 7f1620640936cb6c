import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';

/** What a handler returns: a response to encode, raw bytes, or `'drop'` to stay silent (a timeout). */
export type FakeDnsReply =
  | { readonly rcode?: number; readonly aa?: boolean; readonly tc?: boolean; readonly answers?: Answer[]; readonly authorities?: Answer[] }
  | Buffer
  | 'drop';

export type FakeDnsHandler = (query: DecodedPacket, meta: { readonly raw: Buffer; readonly transport: 'udp' | 'tcp' }) => FakeDnsReply | Promise<FakeDnsReply>;

export interface FakeDnsServer {
  readonly host: string;
  readonly port: number;
  /** `host:port`. */
  readonly server: string;
  /** Every query received, in order. */
  readonly received: { readonly transport: 'udp' | 'tcp'; readonly query: DecodedPacket; readonly raw: Buffer }[];
  close(): Promise<void>;
}

/**
 * A tiny DNS server on loopback, UDP and TCP on one port, built on dns-packet: each query is passed to
 * `handler`, whose reply is encoded with the query's ID and question. For unit tests of code that
 * talks DNS; real servers (BIND) are for integration tests.
 */
export async function startFakeDnsServer(
  handler: FakeDnsHandler,
  options: { readonly host?: string; readonly port?: number } = {},
): Promise<FakeDnsServer> {
  const host = options.host ?? '127.0.0.1';
  const received: FakeDnsServer['received'] = [];
  const respond = async (raw: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    const query = dnsPacket.decode(raw);
    received.push({ transport, query, raw });
    const reply = await handler(query, { raw, transport });
    if (reply === 'drop') return undefined;
    if (Buffer.isBuffer(reply)) return reply;
    const flags =
      (1 << 15) | ((raw.readUInt16BE(2) >> 11) & 0xf) << 11 | (reply.aa === false ? 0 : dnsPacket.AUTHORITATIVE_ANSWER) | (reply.tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | (reply.rcode ?? 0);
    return dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags,
      questions: query.questions ?? [],
      answers: reply.answers ?? [],
      authorities: reply.authorities ?? [],
    });
  };

  for (let attempt = 0; ; attempt += 1) {
    const udp = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(options.port ?? 0, host, () => resolve(udp.address().port));
    });
    const tcp = createServer((socket) => {
      let buffered = Buffer.alloc(0);
      socket.on('data', async (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
          buffered = buffered.subarray(2 + message.length);
          const response = await respond(Buffer.from(message), 'tcp');
          if (response !== undefined) {
            const length = Buffer.alloc(2);
            length.writeUInt16BE(response.length);
            socket.write(Buffer.concat([length, response]));
          }
        }
      });
      socket.on('error', () => {});
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, host, () => resolve(true));
    });
    if (!listening) {
      udp.close();
      if (options.port === undefined && attempt < 20) continue;
      throw new Error('no port free for both UDP and TCP');
    }
    udp.on('message', async (message, from) => {
      const response = await respond(message, 'udp');
      if (response !== undefined) udp.send(response, from.port, from.address);
    });
    return { host, port, server: `${host}:${port}`, received, close: () => close(udp, tcp) };
  }
}

function close(udp: Socket, tcp: Server): Promise<void> {
  return new Promise((resolve) => {
    udp.close(() => tcp.close(() => resolve()));
  });
}

/** A TXT answer. */
export function txt(name: string, ...values: string[]): Answer {
  return { type: 'TXT', name, ttl: 60, class: 'IN', data: values };
}

/** An SOA answer for `zone`. */
export function soa(zone: string): Answer {
  return {
    type: 'SOA',
    name: zone,
    ttl: 60,
    class: 'IN',
    data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 },
  };
}
