/**
 * The client-side CPU cost of one small GET, as the sweep's planning sends them to the CA's
 * renewal-information endpoint (RFC 9773 §4.3), by three HTTP clients: shared/http's
 * `nodeHttpTransport` (node:http with keep-alive agents), Node's global `fetch` through
 * `fetchTransport`, and `undici.request` on a keep-alive `Agent` (the library under Node's fetch,
 * without the WHATWG layer). The server runs in a child process, so the CPU counted is the client's.
 * Each row: the median of several rounds of N requests, 32 in flight (as the planner sends them).
 * Node's runtime has no `undici` module (its fetch uses an internal copy), so a function using
 * `undici.request` would bundle it: {@link undiciBundleCost} gives the bytes and the import's CPU.
 *
 *   npx tsx bench/aws/http-clients.ts [--requests N] [--rounds N]
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { Agent, request as undiciRequest } from 'undici';
import { fetchTransport, nodeHttpTransport, type HttpTransport } from '../../shared/http/index.js';
import { CONSTRUCT_ESBUILD, PROJECT_ROOT } from './bundles.js';

/** A renewal-information answer of the usual size. */
const SERVER = `
const body = JSON.stringify({ suggestedWindow: { start: '2026-12-20T00:00:00Z', end: '2026-12-22T00:00:00Z' }, explanationURL: 'https://ca.example/ari' });
require('node:http').createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '21600' });
  res.end(body);
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}/acme/renewal-info/`, stop: () => child.kill() };
}

async function cpuPerRequest(send: (i: number) => Promise<unknown>, requests: number, rounds: number, concurrency = 32): Promise<{ medianUs: number; spreadUs: [number, number] }> {
  const batch = async (n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) await send(next++);
      }),
    );
  };
  await batch(Math.min(requests, 2_000)); // warm-up: JIT, the connections
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const cpu0 = process.cpuUsage();
    await batch(requests);
    const cpu = process.cpuUsage(cpu0);
    perRound.push((cpu.user + cpu.system) / requests);
  }
  perRound.sort((a, b) => a - b);
  return { medianUs: perRound[Math.floor(perRound.length / 2)] as number, spreadUs: [perRound[0] as number, perRound.at(-1) as number] };
}

/** Client CPU µs per request, medians, and the rows as Markdown lines. */
export interface HttpClientFigures {
  readonly nodeHttpUs: number;
  readonly undiciUs: number;
  readonly fetchUs: number;
  readonly lines: string[];
}

/** Runs the three rows. */
export async function httpClientsBenchmark(options: { requests?: number; rounds?: number } = {}): Promise<HttpClientFigures> {
  const requests = options.requests ?? 5_000;
  const rounds = options.rounds ?? 5;
  const server = await startServer();
  try {
    const headers = { accept: 'application/json', 'user-agent': 'acmeflow-bench' };
    const viaTransport = (transport: HttpTransport) => async (i: number) => {
      const res = await transport({ method: 'GET', url: `${server.url}cert-${i}`, headers, timeoutMs: 30_000 });
      if (res.status !== 200 || !res.body) throw new Error(`answer ${res.status}`);
      return JSON.parse(res.body) as unknown;
    };
    const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
    const viaUndici = async (i: number) => {
      const res = await undiciRequest(`${server.url}cert-${i}`, { method: 'GET', headers, dispatcher, headersTimeout: 30_000, bodyTimeout: 30_000 });
      if (res.statusCode !== 200) throw new Error(`answer ${res.statusCode}`);
      return JSON.parse(await res.body.text()) as unknown;
    };
    const rows: [string, Awaited<ReturnType<typeof cpuPerRequest>>][] = [
      ['`nodeHttpTransport` (node:http, keep-alive agents)', await cpuPerRequest(viaTransport(nodeHttpTransport()), requests, rounds)],
      ['`undici.request` (keep-alive Agent)', await cpuPerRequest(viaUndici, requests, rounds)],
      ['`fetchTransport(fetch)` (Node\'s fetch)', await cpuPerRequest(viaTransport(fetchTransport(fetch)), requests, rounds)],
    ];
    await dispatcher.close();
    const lines = [
      `- ${requests} GETs × ${rounds} rounds per row, 32 in flight, loopback, Node ${process.version}; median (min–max of the rounds), client CPU µs per request:`,
      '',
      '| client | CPU µs per request |',
      '|---|---|',
      ...rows.map(([name, r]) => `| ${name} | ${r.medianUs.toFixed(0)} (${r.spreadUs[0].toFixed(0)}–${r.spreadUs[1].toFixed(0)}) |`),
    ];
    const [nodeHttp, undici, viaFetch] = rows.map(([, r]) => r.medianUs) as [number, number, number];
    return { nodeHttpUs: nodeHttp, undiciUs: undici, fetchUs: viaFetch, lines };
  } finally {
    server.stop();
  }
}

/**
 * What `undici.request` would add to a function: the bytes of `request` + `Agent` bundled as the
 * construct bundles (minified ESM), and the CPU of importing that bundle in a fresh process (median of 5).
 */
export async function undiciBundleCost(): Promise<{ bytes: number; importCpuMs: number }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'acmeflow-bench-undici-'));
  try {
    const outfile = path.join(work, 'undici.mjs');
    await esbuild.build({
      ...CONSTRUCT_ESBUILD,
      absWorkingDir: PROJECT_ROOT,
      stdin: { contents: "import { Agent, request } from 'undici'; export const send = (url) => request(url, { dispatcher: new Agent() });", resolveDir: PROJECT_ROOT, sourcefile: 'undici-entry.mjs', loader: 'js' },
      outfile,
    });
    const probe = `const c = process.cpuUsage(); await import(${JSON.stringify(pathToFileURL(outfile).href)}); const u = process.cpuUsage(c); console.log((u.user + u.system) / 1000);`;
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(Number((await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe])).stdout));
    runs.sort((a, b) => a - b);
    return { bytes: (await stat(outfile)).size, importCpuMs: runs[2] as number };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of (await httpClientsBenchmark({ requests: Number(option('requests', '5000')), rounds: Number(option('rounds', '5')) })).lines) console.log(line);
  const undici = await undiciBundleCost();
  console.log(`- \`undici\` bundled (request + Agent, minified ESM): ${(undici.bytes / 1024).toFixed(0)} KB; importing it ${undici.importCpuMs.toFixed(0)} ms of CPU (median of 5 fresh processes)`);
}
