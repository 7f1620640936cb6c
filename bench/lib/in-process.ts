/**
 * acmeflow in the benchmark's own process, where its traffic and its execution log can be seen:
 *
 * - `certonly` through `cli/main.ts` with a counting fetch (the CLI's code path without the process
 *   start): HTTP requests per issuance against the RFC 8555 minimum;
 * - `LocalEngine.issue` on those lineages, one fresh engine per issuance (no directory cached, no
 *   nonce held: what a new process has), for the same count plus the execution log — state
 *   transitions, Lambda-bound Task time and Wait-state time.
 */
import { LocalEngine } from '../../engine/index.js';
import { main } from '../../cli/main.js';
import { clearDirectoryCache, type FetchFunction } from '../../shared/acme/index.js';
import type { Logger } from '../../shared/workflow/index.js';
import type { BenchSite } from './clients.js';
import { summarizeExecutions, type ExecutionSummary } from './execution-log.js';

/** RFC 8555 minimum for one order of `names` names with an existing account (as bench/acme-issuance.ts counts it). */
export function rfcMinimumRequests(names: number): number {
  // directory, newNonce, newOrder; per name an authorization fetch, a challenge response and the
  // authorization poll that sees `valid`; finalize, one order poll (Pebble answers finalize with
  // `processing`, RFC 8555 §7.4), the certificate download.
  return 3 + 3 * names + 3;
}

export interface RequestCount {
  readonly requests: number;
  /** `METHOD /first-path-segment` → count. */
  readonly byKind: Readonly<Record<string, number>>;
}

export interface EngineRun extends RequestCount {
  readonly wallMs: number;
  readonly summary: ExecutionSummary;
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A fetch to Pebble that counts what it sends. */
function countingFetch(site: BenchSite): { fetch: FetchFunction; take: () => RequestCount } {
  let byKind: Record<string, number> = {};
  let requests = 0;
  const fetch: FetchFunction = (url, init) => {
    requests += 1;
    const kind = `${init?.method ?? 'GET'} /${new URL(url).pathname.split('/')[1] ?? ''}`;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    return site.pebble.fetch(url, init);
  };
  const take = (): RequestCount => {
    const taken = { requests, byKind };
    requests = 0;
    byKind = {};
    return taken;
  };
  return { fetch, take };
}

/** `acmeflow register` then one `acmeflow certonly` per pair of names, in process; the requests of each certonly. */
export async function cliInProcess(site: BenchSite, configDir: string, certificates: readonly (readonly [string, string])[]): Promise<RequestCount[]> {
  const counter = countingFetch(site);
  let said = '';
  const sink = { write: (chunk: string) => (said = (said + chunk).slice(-4_000)) };
  const io = { env: { ...process.env }, stdout: sink, stderr: sink, fetch: counter.fetch };
  const common = ['--config-dir', configDir, '--non-interactive'];
  const registered = await main(['register', '-m', 'bench@example.org', '--agree-tos', '--eab-kid', site.pebble.eab.kid, '--eab-hmac-key', site.pebble.eab.hmacKey, '--server', site.pebble.directoryUrl, ...common], io);
  if (registered !== 0) throw new Error(`in-process acmeflow register exited with ${registered}:\n${said}`);
  const counts: RequestCount[] = [];
  for (const domains of certificates) {
    clearDirectoryCache();
    counter.take();
    const code = await main(
      ['certonly', '-d', domains.join(','), '--key-type', 'rsa', '--rsa-key-size', '2048', '--dns', 'rfc2136', '--dns-rfc2136-credentials', site.credentials, '--dns-resolver', site.bind.server, '--server', site.pebble.directoryUrl, ...common],
      io,
    );
    if (code !== 0) throw new Error(`in-process acmeflow certonly ${domains.join(',')} exited with ${code}:\n${said}`);
    counts.push(counter.take());
  }
  return counts;
}

/** One `LocalEngine.issue({ force: true })` per lineage, each on a fresh engine. */
export async function engineIssuances(site: BenchSite, configDir: string, lineages: readonly string[]): Promise<EngineRun[]> {
  const runs: EngineRun[] = [];
  for (const lineage of lineages) {
    const counter = countingFetch(site);
    clearDirectoryCache();
    const engine = new LocalEngine({ configDir, fetch: counter.fetch, resolvers: [site.bind.server], log: silent });
    const started = performance.now();
    const outcome = await engine.issue({ lineage, force: true });
    const wallMs = performance.now() - started;
    if (outcome.status !== 'succeeded') throw new Error(`LocalEngine.issue(${lineage}) ended ${outcome.status}: ${JSON.stringify(outcome.error)}`);
    runs.push({ ...counter.take(), wallMs, summary: summarizeExecutions(engine.executionLog) });
  }
  return runs;
}
