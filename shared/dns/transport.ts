import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { DnsQueryTimeoutError, DnsTransportError } from './errors.js';
import { formatServerAddress, type DnsServerAddress } from './server-address.js';

/** Options of one {@link DnsTransport.exchange}. */
export interface DnsExchangeOptions {
  /** Budget for the whole exchange (UDP try plus TCP retry), in ms. */
  readonly timeoutMs: number;
  /** Go straight to TCP (RFC 7766), e.g. for a message a UDP datagram should not carry. */
  readonly tcp?: boolean;
}

/**
 * Sends one DNS message to one server and returns the response. The port through which the propagation
 * checker and the RFC 2136 provider reach the network, so tests and other runtimes can swap it.
 *
 * Rules: the promise resolves with a response whose ID equals the message's ID and whose QR bit is
 * set (other datagrams are ignored); it rejects with `DnsQueryTimeoutError` when the budget runs out
 * and `DnsTransportError` on socket failures. It never retries on its own except for the TCP retry
 * of a truncated UDP answer.
 */
export interface DnsTransport {
  exchange(server: DnsServerAddress, message: Uint8Array, options: DnsExchangeOptions): Promise<Buffer>;
}

/** Largest message sent over UDP without EDNS (RFC 1035 §4.2.1); anything bigger goes over TCP. */
const MAX_UDP_MESSAGE = 512;
const TC_BIT = 0x0200;

/**
 * The default {@link DnsTransport}: UDP first (one datagram, one connected socket per exchange), TCP
 * when the message is larger than 512 octets, when `tcp` is asked, or when the UDP answer has TC set
 * (RFC 1035 §4.2.1, RFC 7766 §5).
 *
 * @example
 * ```ts
 * const response = await udpTcpTransport.exchange({ host: '127.0.0.1', port: 53 }, query, { timeoutMs: 2000 });
 * ```
 */
export const udpTcpTransport: DnsTransport = {
  async exchange(server, message, options) {
    const deadline = Date.now() + options.timeoutMs;
    const buffer = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    if (buffer.length < 12) throw new TypeError('a DNS message has at least a 12-octet header');
    if (options.tcp !== true && buffer.length <= MAX_UDP_MESSAGE) {
      const response = await udpExchange(server, buffer, options.timeoutMs);
      if ((response.readUInt16BE(2) & TC_BIT) === 0) return response;
    }
    return tcpExchange(server, buffer, Math.max(1, deadline - Date.now()), options.timeoutMs);
  },
};

function isResponseTo(response: Buffer, id: number): boolean {
  return response.length >= 12 && response.readUInt16BE(0) === id && (response[2]! & 0x80) !== 0;
}

function udpExchange(server: DnsServerAddress, message: Buffer, timeoutMs: number): Promise<Buffer> {
  const id = message.readUInt16BE(0);
  const label = formatServerAddress(server);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (error: Error | undefined, response?: Buffer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error !== undefined) reject(error);
      else resolve(response!);
    };
    const timer = setTimeout(() => finish(new DnsQueryTimeoutError(label, timeoutMs)), timeoutMs);
    socket.on('message', (response) => {
      if (isResponseTo(response, id)) finish(undefined, response);
    });
    socket.on('error', (error) => finish(new DnsTransportError(label, describe(error), { cause: error })));
    // A connected socket only accepts datagrams from the server and reports ICMP port-unreachable
    // as ECONNREFUSED instead of waiting for the timeout.
    socket.connect(server.port, server.host, () => {
      socket.send(message, (error) => {
        if (error) finish(new DnsTransportError(label, describe(error), { cause: error }));
      });
    });
  });
}

function tcpExchange(server: DnsServerAddress, message: Buffer, timeoutMs: number, reportedTimeoutMs: number): Promise<Buffer> {
  const id = message.readUInt16BE(0);
  const label = formatServerAddress(server);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (error: Error | undefined, response?: Buffer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(response!);
    };
    const timer = setTimeout(() => finish(new DnsQueryTimeoutError(label, reportedTimeoutMs)), timeoutMs);
    socket.on('connect', () => {
      // RFC 1035 §4.2.2: each message over TCP is prefixed with its two-octet length.
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        const response = received.subarray(2, 2 + received.readUInt16BE(0));
        received = received.subarray(2 + response.length);
        if (isResponseTo(response, id)) return finish(undefined, Buffer.from(response));
      }
    });
    socket.on('error', (error) => finish(new DnsTransportError(label, describe(error), { cause: error })));
    socket.on('close', () => finish(new DnsTransportError(label, 'the server closed the TCP connection before answering')));
  });
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? error.message : `${code} (${error.message})`;
}
