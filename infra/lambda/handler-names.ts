import { LAMBDA_STEPS, type HandlerFolder } from '../state-machines/index.js';

/** The functions the construct adds besides the workflow steps. */
export const EXTRA_HANDLERS = {
  /** The custom resource that writes the lineage specs to S3 and starts a sweep when they change. */
  syncLineages: 'functions/sync-lineages/handler.ts',
  /** The ACM deploy hook (a rule on `Certificate Deployable`). */
  acmImport: 'infra/deploy-hooks/acm-import/handler.ts',
} as const;

export type ExtraHandler = keyof typeof EXTRA_HANDLERS;

/**
 * The export name of a step's handler in the shared bundle (`prepare-order` → `prepareOrder`), so a
 * function's Lambda handler is `index.prepareOrder`.
 *
 * @example
 * ```ts
 * bundleExportOf('poll-authorizations'); // 'pollAuthorizations'
 * ```
 */
export function bundleExportOf(folder: HandlerFolder): string {
  return folder.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every step folder with its export name, for the bundle entry test. */
export const STEP_EXPORTS: readonly { folder: HandlerFolder; exportName: string }[] = Object.values(LAMBDA_STEPS).map((folder) => ({
  folder,
  exportName: bundleExportOf(folder),
}));
