/**
 * `acmeflow certificates` shows what each endpoint in a renewal conf serves (issue 15): real TLS
 * servers on localhost, one serving the lineage's current certificate, one an older one, and a port
 * nobody listens on.
 */
import 'reflect-metadata';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { createTlsMaterial, type TlsMaterial } from '../../../harness/tls.js';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { FilesystemCertificateStore } from '../../../shared/store/filesystem/index.js';

const servers: Server[] = [];
async function serve(material: TlsMaterial): Promise<number> {
  const server = createServer({ cert: await readFile(material.certPath, 'utf8'), key: await readFile(material.keyPath, 'utf8') });
  server.on('secureConnection', (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

let configDir: string;
let current: TlsMaterial;
let older: TlsMaterial;
let ports: { current: number; older: number; closed: number };

beforeAll(async () => {
  configDir = join(await mkdtemp(join(tmpdir(), 'acmeflow-served-')), 'config');
  [current, older] = await Promise.all([createTlsMaterial({ validityMs: 60 * 86_400_000 }), createTlsMaterial({ validityMs: 5 * 86_400_000 })]);
  ports = { current: await serve(current), older: await serve(older), closed: 0 };
  const closing = createServer({ cert: await readFile(older.certPath, 'utf8'), key: await readFile(older.keyPath, 'utf8') });
  await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
  ports.closed = (closing.address() as AddressInfo).port;
  await new Promise((resolve) => closing.close(resolve));

  const info = parseCertificate(current.certPem);
  const spec = resolveLineageSpec({
    name: 'www.example.test',
    domains: ['www.example.test'],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: 'https://ca.example.test/dir' },
    dns: { provider: 'rfc2136', config: { server: '127.0.0.1' } },
    endpoints: [`127.0.0.1:${ports.current}`, { host: '127.0.0.1', port: ports.older, sni: 'www.example.test' }, `127.0.0.1:${ports.closed}`],
  });
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
  await new FilesystemCertificateStore({ configDir }).putLineage(
    {
      spec,
      state: { currentVersion: 2, current: { serialHex: info.serialHex, notBefore: info.notBefore, notAfter: info.notAfter, domains: ['www.example.test'] }, issuedAt: twoDaysAgo },
    },
    { expectedEtag: null },
  );
});
afterAll(() => {
  for (const server of servers) server.close();
});

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, { env: { LANG: 'C' }, stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } });
  return { code, out };
}

describe('acmeflow certificates with endpoints in the renewal conf', () => {
  it('says per endpoint whether it serves the current certificate, an older one (past the deploy delay and grace), or nothing', async () => {
    const r = await run(['certificates', '--config-dir', configDir]);
    expect(r.code).toBe(0);
    const served = r.out.split('\n').filter((l) => l.includes('Served at '));
    expect(served).toEqual([
      expect.stringMatching(new RegExp(`^    Served at 127\\.0\\.0\\.1:${ports.current}: CURRENT \\((59|60) days\\)$`)),
      expect.stringMatching(
        new RegExp(
          `^    Served at 127\\.0\\.0\\.1:${ports.older} \\(SNI www\\.example\\.test\\): STALE: serial ${parseCertificate(older.certPem).serialHex}, not the current ${parseCertificate(current.certPem).serialHex} \\((4|5) days, EXPIRING\\)$`,
        ),
      ),
      expect.stringMatching(new RegExp(`^    Served at 127\\.0\\.0\\.1:${ports.closed}: UNREACHABLE \\(ECONNREFUSED`)),
    ]);
  });

  it('--json carries the same per endpoint', async () => {
    const r = await run(['certificates', '--json', '--config-dir', configDir]);
    const [row] = (JSON.parse(r.out) as { certificates: { served: { state: string; expiring: boolean }[] }[] }).certificates;
    expect(row?.served.map((s) => [s.state, s.expiring])).toEqual([
      ['current', false],
      ['stale', true],
      ['unreachable', false],
    ]);
  });
});
