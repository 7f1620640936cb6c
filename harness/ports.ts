import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * A TCP port that was free on `host` a moment ago: binds port 0, reads the port the kernel chose, closes.
 *
 * There is a window between closing and the server binding it in which another process may take the port;
 * callers that start a server on it should retry with a fresh port when the bind fails (startPebble does).
 *
 * @example
 * const port = await freePort();
 * server.listen(port, '127.0.0.1');
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`freePort: unexpected address ${String(address)}`));
        return;
      }
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}

/** Whether a TCP listener can bind `port` on `host` right now. */
export async function isTcpPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port free for both UDP and TCP on `host` (for DNS servers, which listen on both).
 * Lets the kernel pick a UDP port, then checks TCP on the same number; tries again when TCP is taken.
 *
 * @example
 * const dnsPort = await freeUdpTcpPort();
 */
export async function freeUdpTcpPort(host = '127.0.0.1', attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = await freeUdpPort(host);
    if (await isTcpPortFree(port, host)) return port;
  }
  throw new Error(`freeUdpTcpPort: no port free for both UDP and TCP on ${host} after ${attempts} attempts`);
}

async function freeUdpPort(host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.unref();
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
