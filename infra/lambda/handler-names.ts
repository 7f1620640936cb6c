import { LAMBDA_STEPS, type HandlerFolder, type LambdaStep } from '../../shared/workflow/machines/index.js';

/** The functions the construct adds besides the workflow steps. */
export const EXTRA_HANDLERS = {
  /** The custom resource that writes the lineage specs to S3 and starts a sweep when they change. */
  syncLineages: 'functions/sync-lineages/handler.ts',
  /** The ACM deploy hook (a rule on `Certificate Deployable`). */
  acmImport: 'functions/acm-import/handler.ts',
  /** The completion check of `issuer.certificate(name)` (its `onEvent` is the ACM hook). */
  certificateHandle: 'functions/certificate-handle/handler.ts',
  /** With `removalPolicy: DESTROY`: the custom resource that deletes the run-time secrets on stack delete. */
  deleteSecrets: 'functions/delete-secrets/handler.ts',
  /** The served-certificate probe (a scheduled rule, when a certificate lists endpoints). */
  probeEndpoints: 'functions/probe-endpoints/handler.ts',
} as const;

export type ExtraHandler = keyof typeof EXTRA_HANDLERS;

/**
 * The entry of a step's function (project-relative): each function is its own esbuild bundle of
 * its own handler, so it carries only what its step imports. Lambda's handler is `index.handler`.
 *
 * @example
 * ```ts
 * stepEntry('poll-authorizations'); // 'functions/poll-authorizations/handler.ts'
 * ```
 */
export function stepEntry(folder: HandlerFolder): string {
  return `functions/${folder}/handler.ts`;
}

/** One function the construct deploys: its name (the step, or the extra handler's key) and bundle entry. */
export interface FunctionEntry {
  readonly name: LambdaStep | ExtraHandler;
  /** The folder that names the function's bundle (`prepare-order`, `sync-lineages`, `acm-import`). */
  readonly folder: string;
  /** Project-relative TypeScript entry; it exports `handler`. */
  readonly entry: string;
}

/** Every function's entry: the steps of LAMBDA_STEPS, then the extra handlers. */
export const FUNCTION_ENTRIES: readonly FunctionEntry[] = [
  ...(Object.entries(LAMBDA_STEPS) as [LambdaStep, HandlerFolder][]).map(([name, folder]) => ({ name, folder, entry: stepEntry(folder) })),
  ...(Object.entries(EXTRA_HANDLERS) as [ExtraHandler, string][]).map(([name, entry]) => ({ name, folder: entry.split('/').at(-2)!, entry })),
];
