import type { AwsCostResult } from './aws-cost.js';
import type { Measurement } from './measure.js';
import type { Spread } from './stats.js';

/** Everything one run of `npm run bench` measured, for RESULTS.md and the chart. */
export interface BenchResults {
  readonly date: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly memoryGb: number; readonly kernel: string; readonly os: string; readonly loadAverage: readonly number[] };
  readonly versions: Readonly<Record<string, string>>;
  /** Certificates per client in the single-issuance part. */
  readonly n: number;
  readonly lineages: number;
  readonly single: readonly SingleResult[];
  readonly renewal: readonly RenewalResult[];
  readonly requests: RequestResult;
  readonly breakdown: Breakdown;
  readonly cost: AwsCostResult;
  readonly targets: readonly TargetResult[];
  readonly elapsedSeconds: number;
}

export interface SingleResult {
  readonly label: string;
  readonly wallMs: Spread;
  readonly cpuMs: Spread;
  readonly peakRssKb: Spread;
  readonly samples: readonly Measurement[];
}

export interface RenewalResult {
  readonly label: string;
  readonly command: string;
  readonly total: Measurement;
  readonly renewed: number | undefined;
}

export interface RequestResult {
  /** RFC 8555 minimum per issuance of two names. */
  readonly minimum: number;
  /** Per in-process `acmeflow certonly`. */
  readonly cli: Spread;
  /** Per fresh-engine `LocalEngine.issue`. */
  readonly engine: Spread;
  /** Of the median CLI run. */
  readonly byKind: Readonly<Record<string, number>>;
  /** Every run (CLI or engine) whose count is not the minimum, with its requests by kind. */
  readonly offMinimum: readonly { readonly source: string; readonly requests: number; readonly byKind: Readonly<Record<string, number>> }[];
}

export interface Breakdown {
  /** `acmeflow --version` (the process start alone): as shipped (the bundle), and from the sources through tsx. */
  readonly startShippedMs: Spread;
  readonly startSourcesMs: Spread;
  /** `LocalEngine.issue` in process (no process start). */
  readonly engineMs: Spread;
  /** Of which in Wait states. */
  readonly waitMs: Spread;
  /** Ms per state of the median engine run, largest first. */
  readonly byState: Readonly<Record<string, number>>;
  readonly transitions: Spread;
}

export interface TargetResult {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}
