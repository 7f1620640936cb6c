/**
 * RESULTS.md and its chart (an SVG drawn here, turned into a PNG by librsvg's `rsvg-convert`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PRICES, type CertificateCost } from './aws-cost.js';
import type { BenchResults, SingleResult } from './results.js';
import type { Spread } from './stats.js';

/** The single-issuance target: acmeflow's wall time at most this share of certbot's (the table and the chart both read it). */
export const SINGLE_ISSUANCE_TARGET = 0.2;

const s = (ms: number, digits = 2): string => (ms / 1000).toFixed(digits);
const mb = (kb: number): string => (kb / 1024).toFixed(0);
const spreadS = (v: Spread, digits = 2): string => `${s(v.median, digits)} (${s(v.min, digits)}–${s(v.max, digits)})`;
const spreadMb = (v: Spread): string => `${mb(v.median)} (${mb(v.min)}–${mb(v.max)})`;
const usd = (v: number): string => (v === 0 ? '$0' : v < 0.0001 ? `$${v.toExponential(2)}` : `$${v.toFixed(6)}`);
const count = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));
const kinds = (byKind: Readonly<Record<string, number>>): string =>
  Object.entries(byKind)
    .map(([k, v]) => `\`${k}\` ${v}`)
    .join(', ');

function costRows(label: string, c: CertificateCost): string[] {
  return [
    `| ${label} | Step Functions | ${count(c.transitions)} state transitions × $0.025/1,000 | ${usd(c.usd.stepFunctions)} |`,
    `| | Lambda requests | ${count(c.invocations)} invocations × $0.20/1M | ${usd(c.usd.lambdaRequests)} |`,
    `| | Lambda duration (arm64) | ${c.handlerMs.toFixed(0)} ms of handlers = ${c.gbSeconds.toFixed(3)} GB-s × $0.0000133334 | ${usd(c.usd.lambdaDuration)} |`,
    `| | S3 | ${count(c.calls.s3Write)} PUT/LIST × $0.005/1,000 + ${count(c.calls.s3Read)} GET/HEAD × $0.0004/1,000 | ${usd(c.usd.s3)} |`,
    `| | Secrets Manager | ${count(c.calls.secretsManager)} API calls × $0.05/10,000 | ${usd(c.usd.secretsManager)} |`,
    `| | EventBridge | ${count(c.calls.eventBridgeEvents)} events × $1.00/1M | ${usd(c.usd.eventBridge)} |`,
    `| | **total** | | **${usd(c.usd.total)}** (${(c.usd.total * 1_000_000).toFixed(0)} USD per million) |`,
  ];
}

export function resultsMarkdown(r: BenchResults, chartFile: string): string {
  const acmeflow = r.single.find((x) => x.label === 'acmeflow')!;
  const lines: string[] = [];
  lines.push('# acmeflow against certbot and lego on the same local CA and DNS', '');
  lines.push(
    `Measured ${r.date} by \`npm run bench\` (bench/run.ts) in ${r.elapsedSeconds.toFixed(0)} s on ${r.machine.cores} × ${r.machine.cpu}, ` +
      `${r.machine.memoryGb.toFixed(0)} GB, ${r.machine.os}, Linux ${r.machine.kernel}; load average at the start ${r.machine.loadAverage.map((l) => l.toFixed(2)).join(' ')} ` +
      '(other work shared the machine: compare the ratios of one run, not absolute times across runs).',
    '',
  );
  lines.push(`Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  lines.push(
    'One Pebble (EAB required, `PEBBLE_VA_NOSLEEP=1`, `PEBBLE_WFE_NONCEREJECT=0`, `PEBBLE_AUTHZREUSE=0`) and one BIND 9 (TSIG, RFC 2136) on loopback serve all three clients. ' +
      'acmeflow: the real command line, `node bin/acmeflow.mjs certonly … --dns rfc2136` (local engine). ' +
      'certbot: `certonly --dns-rfc2136 --dns-rfc2136-propagation-seconds 0`, `renew --force-renewal --no-random-sleep-on-renew`. ' +
      'lego: `--dns rfc2136 --dns.disable-cp --dns.resolvers <BIND>` with `RFC2136_SEQUENCE_INTERVAL=1`, `RFC2136_POLLING_INTERVAL=1`; `renew --days 100000 --no-random-sleep` per lineage in a shell loop. ' +
      'Every certificate has two names and an RSA-2048 key. Accounts are registered and one warm-up certificate issued per client beforehand (untimed); client order rotates every round.',
    '',
  );
  lines.push(`![chart](${chartFile})`, '');

  lines.push('## Targets', '', '| target | goal | measured | met |', '|---|---|---|---|');
  for (const t of r.targets) lines.push(`| ${t.name} | ${t.goal} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  lines.push('');

  lines.push(
    `## Single issuance (${r.n} certificates per client)`,
    '',
    'Per certificate: median (min–max). Wall time from spawn to exit; CPU time = user + system of the process and the children it waited for; peak RSS of the largest process (GNU time).',
    '',
    '| client | wall time (s) | CPU time (s) | peak RSS (MB) | × certbot wall |',
    '|---|---|---|---|---|',
  );
  const certbot = r.single.find((x) => x.label === 'certbot')!;
  for (const x of r.single) {
    lines.push(`| ${x.label} | ${spreadS(x.wallMs)} | ${spreadS(x.cpuMs)} | ${spreadMb(x.peakRssKb)} | ${(x.wallMs.median / certbot.wallMs.median).toFixed(2)} |`);
  }
  lines.push(
    '',
    'lego’s slow runs (about 9 s) are those where its first look at an authorization found it still pending: with no Retry-After from Pebble, lego waits about five seconds before looking again. ' +
      'acmeflow looks at the authorizations at once after answering the challenges and at the order at once after finalizing (a Wait of 0 s when the CA sends no Retry-After), then after 1, 2, 4 … s; certbot 2.1 gives the CA one second before its first look.',
    '',
  );

  lines.push(
    `## Renewal of ${r.lineages} lineages`,
    '',
    '| client | command | total wall (s) | wall per certificate (s) | CPU per certificate (s) | peak RSS (MB) | certbot ÷ client |',
    '|---|---|---|---|---|---|---|',
  );
  const certbotRenew = r.renewal.find((x) => x.label === 'certbot')!;
  for (const x of r.renewal) {
    lines.push(
      `| ${x.label} | \`${x.command}\` | ${s(x.total.wallMs, 1)} | ${s(x.total.wallMs / r.lineages)} | ${s(x.total.cpuMs / r.lineages)} | ${mb(x.total.peakRssKb)} | ${(certbotRenew.total.wallMs / x.total.wallMs).toFixed(1)} × |`,
    );
  }
  lines.push('');

  const b = r.breakdown;
  lines.push(
    '## Where acmeflow’s time goes (one certificate)',
    '',
    '| part | median (min–max), s |',
    '|---|---|',
    `| \`acmeflow certonly\` as shipped, whole process | ${spreadS(acmeflow.wallMs)} |`,
    `| process start alone (\`acmeflow --version\`), as shipped (esbuild bundle, bin/cli-bundle.mjs) | ${spreadS(b.startShippedMs)} |`,
    `| process start alone from the TypeScript sources through tsx (\`ACMEFLOW_CLI_SOURCES=1\`; how it shipped before the bundle) | ${spreadS(b.startSourcesMs)} |`,
    `| the issuance in process (\`LocalEngine.issue\`, fresh engine) | ${spreadS(b.engineMs)} |`,
    `| of which in Wait states | ${spreadS(b.waitMs)} |`,
    '',
    `States of the median in-process issuance (ms, summed per state): ${Object.entries(b.byState)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. ${count(b.transitions.median)} state transitions per issuance.`,
    '',
  );

  const q = r.requests;
  lines.push(
    '## HTTP requests per issuance (acmeflow)',
    '',
    `RFC 8555 minimum for two names with an existing account: ${q.minimum} (directory, newNonce, newOrder, 2 × authorization, 2 × challenge, 2 × authorization poll, finalize, order poll, certificate). ` +
      `Measured in process with a counting fetch, a cold directory cache and no nonce held, as in a new process: ` +
      `\`acmeflow certonly\` ${count(q.cli.median)} (${q.cli.min}–${q.cli.max}) over ${q.cli.n} certificates; \`LocalEngine.issue\` ${count(q.engine.median)} (${q.engine.min}–${q.engine.max}) over ${q.engine.n}.`,
    '',
    `By kind (median run): ${kinds(q.byKind)}.` +
      (q.offMinimum.length === 0
        ? ' Every run made exactly the minimum.'
        : ` Runs off the minimum: ${q.offMinimum.map((o) => `${o.source} ${o.requests} (${kinds(o.byKind)})`).join('; ')}.`),
    '',
  );

  const c = r.cost;
  lines.push(
    '## AWS cost per certificate (list prices, us-east-1)',
    '',
    'From a local run of what AWS runs: the committed state machine definitions, every Lambda Task bound to its real handler over the AWS adapters, ' +
      'against s3rver and the Secrets Manager / EventBridge fakes on loopback (as test/e2e/state-machines), one execution at a time. ' +
      'Transitions are counted from the execution log (one per state entered, retries included); Lambda duration is the summed handler time at each function’s memory ' +
      '(shared/workflow/machines/step-access.ts: FinalizeOrder and PlanRenewals 1024 MB, the others 512 MB), billed per ms; API calls are counted by an SDK request handler.',
    '',
    '| | item | quantity | USD |',
    '|---|---|---|---|',
    ...costRows('new certificate (one issuance execution)', c.newCertificate),
    ...costRows(`renewal through the sweep (forced sweep of ${c.sweepSize}, per certificate)`, c.renewal),
    '',
    `AWS calls of one issuance: ${Object.entries(c.issuanceOperations)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. Handler ms by Task (that issuance): ${Object.entries(c.handlerMsByStep)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    'Not in these figures: the Secrets Manager storage of each certificate’s key ' +
      `($${PRICES.secretMonth.toFixed(2)} per secret per month, about $${(PRICES.secretMonth * 12).toFixed(2)} per certificate-year — far more than its renewals), ` +
      'KMS requests, CloudWatch Logs, S3 storage and data transfer, Lambda INIT time of cold starts, and the latency of real AWS APIs ' +
      '(the handlers here talk to loopback servers, so duration is a lower bound; it is a small share of the total either way). ' +
      'Step Functions Standard dominates: waiting itself costs nothing (a Wait state is one transition however long it waits), but every poll round costs three transitions (Task, Choice, Wait) and a Lambda invocation.',
    '',
  );
  return lines.join('\n');
}

const COLORS: Readonly<Record<string, string>> = {
  acmeflow: '#0b7a75',
  certbot: '#d9822b',
  lego: '#3b6fb6',
};

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One horizontal bar panel at (x, y), `width` wide; values in seconds. */
function panel(x: number, y: number, width: number, title: string, bars: readonly Bar[], unit: string, target?: { value: number; label: string }): string {
  const labelW = 150;
  const barH = 26;
  const gap = 12;
  const plotW = width - labelW - 70;
  const top = Math.max(...bars.map((b) => b.max ?? b.value), target?.value ?? 0) * 1.05 || 1;
  const scale = (v: number) => (v / top) * plotW;
  const parts: string[] = [`<text x="${x}" y="${y}" font-size="17" font-weight="bold">${escapeXml(title)}</text>`];
  bars.forEach((b, i) => {
    const by = y + 18 + i * (barH + gap);
    const color = COLORS[b.label] ?? '#888';
    parts.push(`<text x="${x + labelW - 8}" y="${by + barH / 2 + 5}" font-size="14" text-anchor="end">${escapeXml(b.label)}</text>`);
    parts.push(`<rect x="${x + labelW}" y="${by}" width="${Math.max(1, scale(b.value)).toFixed(1)}" height="${barH}" fill="${color}"/>`);
    if (b.min !== undefined && b.max !== undefined) {
      const cy = by + barH / 2;
      const x1 = x + labelW + scale(b.min);
      const x2 = x + labelW + scale(b.max);
      parts.push(`<line x1="${x1.toFixed(1)}" y1="${cy}" x2="${x2.toFixed(1)}" y2="${cy}" stroke="#222" stroke-width="1.5"/>`);
      for (const xx of [x1, x2]) parts.push(`<line x1="${xx.toFixed(1)}" y1="${cy - 6}" x2="${xx.toFixed(1)}" y2="${cy + 6}" stroke="#222" stroke-width="1.5"/>`);
    }
    const textX = x + labelW + Math.max(scale(b.value), b.max !== undefined ? scale(b.max) : 0) + 6;
    parts.push(`<text x="${textX.toFixed(1)}" y="${by + barH / 2 + 5}" font-size="14">${b.value.toFixed(b.value < 10 ? 2 : 1)} ${unit}</text>`);
  });
  const axisY = y + 18 + bars.length * (barH + gap) - gap + 4;
  parts.push(`<line x1="${x + labelW}" y1="${y + 14}" x2="${x + labelW}" y2="${axisY}" stroke="#444"/>`);
  if (target) {
    const tx = x + labelW + scale(target.value);
    parts.push(`<line x1="${tx.toFixed(1)}" y1="${y + 14}" x2="${tx.toFixed(1)}" y2="${axisY}" stroke="#c0392b" stroke-width="2" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${(tx + 4).toFixed(1)}" y="${axisY + 16}" font-size="13" fill="#c0392b">${escapeXml(target.label)}</text>`);
  }
  return parts.join('\n');
}

export function chartSvg(r: BenchResults): string {
  const width = 1320;
  const colW = width / 2 - 30;
  const singleBars = (pick: (x: SingleResult) => Spread): Bar[] =>
    r.single.map((x) => ({ label: x.label, value: pick(x).median / 1000, min: pick(x).min / 1000, max: pick(x).max / 1000 }));
  const renewBars: Bar[] = r.renewal.map((x) => ({ label: x.label, value: x.total.wallMs / 1000 }));
  const renewCpu: Bar[] = r.renewal.map((x) => ({ label: x.label, value: x.total.cpuMs / 1000 }));
  const rows = Math.max(r.single.length, r.renewal.length);
  const panelH = 60 + rows * 38;
  const height = 70 + 2 * panelH + 50;
  const certbotWall = r.single.find((x) => x.label === 'certbot')?.wallMs.median;
  const certbotRenew = r.renewal.find((x) => x.label === 'certbot')?.total.wallMs;
  const body = [
    `<text x="20" y="34" font-size="21" font-weight="bold">acmeflow vs certbot vs lego — same Pebble (EAB) and BIND 9 on loopback, two-name RSA-2048 certificates</text>`,
    panel(20, 80, colW, `Single issuance: wall time per certificate (median, min–max, N=${r.n})`, singleBars((x) => x.wallMs), 's',
      certbotWall === undefined ? undefined : { value: (SINGLE_ISSUANCE_TARGET * certbotWall) / 1000, label: `target: ${SINGLE_ISSUANCE_TARGET} × certbot` }),
    panel(width / 2 + 10, 80, colW, 'Single issuance: CPU time per certificate (median, min–max)', singleBars((x) => x.cpuMs), 's'),
    panel(20, 80 + panelH, colW, `Renewal of ${r.lineages} lineages: total wall time`, renewBars, 's',
      certbotRenew === undefined ? undefined : { value: certbotRenew / 10 / 1000, label: 'target: certbot ÷ 10' }),
    panel(width / 2 + 10, 80 + panelH, colW, `Renewal of ${r.lineages} lineages: total CPU time`, renewCpu, 's'),
    `<text x="20" y="${height - 34}" font-size="13" fill="#444">${escapeXml(
      `${r.date} · ${r.machine.cores} × ${r.machine.cpu}, ${r.machine.memoryGb.toFixed(0)} GB · ${r.machine.os}`,
    )}</text>`,
    `<text x="20" y="${height - 14}" font-size="13" fill="#444">${escapeXml(
      Object.entries(r.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · '),
    )}</text>`,
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** Writes RESULTS.md and the PNG chart next to it. */
export async function writeResults(r: BenchResults, markdownPath: string, pngPath: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'acmeflow-bench-chart-'));
  try {
    const svg = join(dir, 'chart.svg');
    await writeFile(svg, chartSvg(r));
    execFileSync('rsvg-convert', ['--format', 'png', '--output', pngPath, svg]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await writeFile(markdownPath, resultsMarkdown(r, basename(pngPath)));
}
