import { join } from 'node:path';
import { explainProblem, type RevocationReason } from '../shared/acme/index.js';
import type { HookFailure } from '../shared/events/local-hooks/index.js';
import { describeError, type CaughtError, type IssuanceState, type UnreadableLineage } from '../shared/workflow/index.js';
import type { EngineFailure } from './errors.js';
import type { ExecutionResult } from './execution.js';
import type { IssuanceRun } from './local-state-machines.js';

/**
 * What the engine's verbs return: plain objects for the CLI to print (certbot's wording) and for
 * tests to assert on. Public data only.
 */

/** certbot's files of a lineage, under `<configDir>/live/<name>/`. */
export interface LivePaths {
  readonly cert: string;
  readonly chain: string;
  readonly fullchain: string;
  readonly privkey: string;
}

export interface IssuanceOutcome {
  /**
   * `skipped`: nothing ordered — another run renewed the lineage after the sweep planned it, the run
   * only cleaned up after an abandoned one, or only published the events owed for a stored version (`skipReason`).
   */
  readonly status: 'succeeded' | 'failed' | 'skipped';
  readonly skipReason?: 'renewedMeanwhile' | 'cleanupOnly' | 'locked' | 'onHold' | 'announceOnly';
  readonly lineage: string;
  /** The archive version stored (absent on a dry run, which stores nothing). */
  readonly version?: number;
  readonly serialHex?: string;
  readonly notAfter?: string;
  /** The `live/` paths (absent on a dry run). */
  readonly paths?: LivePaths;
  readonly error?: EngineFailure;
  readonly dryRun: boolean;
  /** `$$.Execution.Name` of the issuance execution (the lineage lock's owner). */
  readonly executionName: string;
  /** Hooks of this run that failed (the certificate stays issued and stored, as with certbot). */
  readonly hookFailures?: readonly HookFailure[];
  /** Renewed because the CA moved its renewal window: the CA's page explaining why (RFC 9773 §4.2). */
  readonly ariExplanationURL?: string;
}

export interface SweepOutcome {
  /** Lineages an issuance was attempted for. */
  readonly attempted: number;
  readonly renewed: string[];
  readonly failed: string[];
  /** Lineages looked at and not due. */
  readonly skipped: number;
  /** Lineages that exist but could not be read (a damaged conf, a certbot-managed one), with the store's message; not renewed. */
  readonly unreadable: UnreadableLineage[];
  /** One outcome per attempted lineage, in plan order. */
  readonly results: IssuanceOutcome[];
  readonly dryRun: boolean;
  readonly executionName: string;
  readonly hookFailures?: readonly HookFailure[];
}

export interface RevokeOutcome {
  readonly lineage: string;
  readonly serialHex: string;
  readonly reason: RevocationReason;
  /** Deploy-hooks owed by earlier runs that this run ran, and failed. */
  readonly hookFailures?: readonly HookFailure[];
}

/** The live paths of a lineage in certbot's layout. */
export function livePaths(configDir: string, lineage: string): LivePaths {
  const dir = join(configDir, 'live', lineage);
  return { cert: join(dir, 'cert.pem'), chain: join(dir, 'chain.pem'), fullchain: join(dir, 'fullchain.pem'), privkey: join(dir, 'privkey.pem') };
}

/**
 * An error as the failure path saw it (`{ Error, Cause }` of a Catch, or of the execution's end),
 * with the ACME problem read back from the step-error JSON and explained.
 */
export function failureOf(caught: CaughtError, step?: string): EngineFailure {
  const described = describeError({ Error: caught.Error, ...(caught.Cause ? { Cause: caught.Cause } : {}) });
  const explanation = described.problem ? explainProblem(described.problem) : undefined;
  return {
    name: described.name,
    message: described.message,
    ...(described.problem ? { problem: described.problem } : {}),
    ...(explanation ? { explanation: { en: explanation.en, ja: explanation.ja } } : {}),
    ...(step ? { step } : {}),
  };
}

/** The failure of an execution that did not succeed. */
export function executionFailure(result: Extract<ExecutionResult, { status: 'failed' }>): EngineFailure {
  return failureOf({ Error: result.error, Cause: result.cause });
}

/** The outcome of one issuance execution. */
export function issuanceOutcome(run: IssuanceRun, options: { configDir: string; dryRun: boolean }): IssuanceOutcome {
  const base = { lineage: run.lineage, dryRun: options.dryRun, executionName: run.result.executionName };
  if (run.result.status === 'failed') {
    const recorded = run.recordFailureInput;
    const error = recorded?.error
      ? failureOf({ Error: recorded.error.Error, ...(recorded.error.Cause ? { Cause: recorded.error.Cause } : {}) }, recorded.step)
      : executionFailure(run.result);
    return { ...base, status: 'failed', error };
  }
  const state = run.result.output as Partial<IssuanceState> | null;
  if (state?.skipped) return { ...base, status: 'skipped', ...(state.skipReason ? { skipReason: state.skipReason } : {}) };
  const result = state?.result;
  const stored = !options.dryRun && result !== undefined && result.version > 0;
  return {
    ...base,
    status: 'succeeded',
    ...(stored ? { version: result.version, paths: livePaths(options.configDir, run.lineage) } : {}),
    ...(result ? { serialHex: result.serialHex, notAfter: result.notAfter } : {}),
    ...(state?.ariExplanationURL ? { ariExplanationURL: state.ariExplanationURL } : {}),
  };
}
