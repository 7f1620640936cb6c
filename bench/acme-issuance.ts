/**
 * Protocol-layer benchmark (issue 2): issues a two-name ECDSA certificate from a local Pebble with
 * the ACME layer alone, and prints wall time and HTTP requests against the RFC 8555 minimum.
 * Pebble runs with PEBBLE_VA_NOSLEEP=1 and PEBBLE_WFE_NONCEREJECT=0 so that the CA adds no delay.
 *
 *   npm run bench:acme [-- RUNS]
 */
import 'reflect-metadata';
import { clearDirectoryCache, createAcmeContext, generateAccountKey, newAccount, type FetchFunction } from '../shared/acme/index.js';
import { issueWithAcmeLayer, type TxtPublisher } from '../harness/acme-flow.js';
import { startPebble } from '../harness/pebble.js';

const runs = Number(process.argv[2] ?? 7);
const pebble = await startPebble({ env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' } });
try {
  const dns: TxtPublisher = {
    publish: async (name, values) => {
      for (const v of values) await pebble.challtestsrv!.addTxt(name, v);
    },
    unpublish: (name) => pebble.challtestsrv!.clearTxt(name),
  };
  const setupCtx = createAcmeContext({ directoryUrl: pebble.directoryUrl, fetch: pebble.fetch });
  const key = await generateAccountKey();
  const account = { url: (await newAccount(setupCtx, key, { termsOfServiceAgreed: true, externalAccountBinding: pebble.eab })).url, key };

  const results: { ms: number; requests: number; minimum: number; byKind: Record<string, number> }[] = [];
  for (let i = 0; i < runs; i++) {
    // A cold process: no cached directory, no nonce held.
    clearDirectoryCache();
    const byKind: Record<string, number> = {};
    let requests = 0;
    const counting: FetchFunction = (url, init) => {
      requests++;
      const kind = `${init?.method ?? 'GET'} ${new URL(url).pathname.split('/')[1] ?? ''}`;
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      return pebble.fetch(url, init);
    };
    const ctx = createAcmeContext({ directoryUrl: pebble.directoryUrl, fetch: counting });
    const domains = [`a${i}.bench.example`, `b${i}.bench.example`];
    const t0 = performance.now();
    const issued = await issueWithAcmeLayer(ctx, account, domains, dns, { keyType: 'ecdsa-p256' });
    const ms = performance.now() - t0;
    // RFC 8555 minimum for n names with an existing account: directory, newNonce, newOrder,
    // n authorization fetches, n challenge responses, n authorization polls that see `valid`,
    // finalize, one order poll (Pebble answers finalize with `processing`, RFC 8555 §7.4), download.
    const n = domains.length;
    const minimum = 3 + 3 * n + 1 + 1 + 1;
    if (issued.order.status !== 'valid') throw new Error('order did not end valid');
    results.push({ ms, requests, minimum, byKind });
  }
  const sorted = [...results].sort((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`acme-layer issuance, 2 names, ECDSA P-256, Pebble on loopback, ${runs} runs`);
  console.log(`wall time: median ${median.ms.toFixed(0)} ms, min ${sorted[0]!.ms.toFixed(0)} ms, max ${sorted.at(-1)!.ms.toFixed(0)} ms (target < 500 ms)`);
  console.log(`HTTP requests: median run ${median.requests}, RFC minimum ${median.minimum} (target <= minimum + 1)`);
  console.log(`requests by kind (median run): ${JSON.stringify(median.byKind)}`);
  console.log(`per run: ${results.map((r) => `${r.ms.toFixed(0)}ms/${r.requests}req`).join(' ')}`);
} finally {
  await pebble.stop();
}
