/**
 * Where a sweep keeps its plan and its results: S3 in AWS (read by the Distributed Map and written
 * by its ResultWriter), memory or files locally. The plan is a JSON array of issuance inputs.
 */
export interface SweepItem {
  readonly lineage: string;
  readonly expectedVersion: number;
  readonly force: boolean;
  readonly dryRun: boolean;
}

/** One child issuance's outcome, as the Distributed Map's item processor reports it. */
export interface SweepItemResult {
  readonly lineage: string;
  readonly failed: boolean;
  /** The issuance found the lineage renewed by another run since planning (check, lock, check again). */
  readonly skipped?: boolean;
}

/**
 * Rules: `putPlan` overwrites the plan of the same sweep id (a retried PlanRenewals converges);
 * `readResults` resolves every item result of a finished map, from the ResultWriter's manifest in
 * AWS or from inline results locally.
 */
export interface SweepStore {
  /** Writes the plan; returns the key the map reads it from. */
  putPlan(sweepId: string, items: readonly SweepItem[]): Promise<string>;
  readResults(results: SweepResultsRef): Promise<SweepItemResult[]>;
}

/** What the map hands to CompleteSweep: the ResultWriter's details in AWS, or the items inline locally. */
export type SweepResultsRef =
  | { readonly ResultWriterDetails: { readonly Bucket: string; readonly Key: string } }
  | { readonly items: readonly SweepItemResult[] };
