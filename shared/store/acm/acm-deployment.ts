import type { LineageState } from '../lineage.js';

/**
 * What the ACM deploy hook keeps about one lineage in one ACM target, under the lineage state's
 * `deployments[<target name>]` (plain strings, never secrets). The ARN written on the first import is
 * the ARN every renewal re-imports under: the account is never listed to find it.
 */
export interface AcmDeployment {
  /** Written on the first import; every later import replaces the certificate under it. */
  readonly certificateArn?: string;
  /** The lineage version last imported under `certificateArn`. */
  readonly version?: number;
  readonly importedAt?: string;
  /** The last failed import of this target (cleared by the next success). */
  readonly lastError?: { readonly name: string; readonly message: string; readonly at: string; readonly version: number };
}

/**
 * The name a target's facts are kept under: `acm` for the issuer's own account and the stack's
 * region, else `acm:<region>` and `acm:<account>:<region>`, so two targets of one lineage never share
 * an ARN.
 *
 * @example
 * ```ts
 * acmDeploymentName({ region: 'us-east-1' }); // 'acm:us-east-1'
 * ```
 */
export function acmDeploymentName(target: { readonly region?: string; readonly account?: string }): string {
  return ['acm', target.account, target.region].filter((part) => part !== undefined && part !== '').join(':');
}

/** The facts of `name` in a lineage state, typed; an empty object when there are none. */
export function readAcmDeployment(state: LineageState | undefined, name: string): AcmDeployment {
  const facts = state?.deployments?.[name];
  if (!facts) return {};
  const version = Number(facts.version);
  const errorVersion = Number(facts.lastErrorVersion);
  return {
    ...(facts.certificateArn ? { certificateArn: facts.certificateArn } : {}),
    ...(Number.isInteger(version) && version > 0 ? { version } : {}),
    ...(facts.importedAt ? { importedAt: facts.importedAt } : {}),
    ...(facts.lastErrorName && facts.lastErrorAt
      ? { lastError: { name: facts.lastErrorName, message: facts.lastErrorMessage ?? '', at: facts.lastErrorAt, version: Number.isInteger(errorVersion) ? errorVersion : 0 } }
      : {}),
  };
}

/** The state with `name`'s facts replaced by `deployment` (flattened to the store's string record). */
export function withAcmDeployment(state: LineageState, name: string, deployment: AcmDeployment): LineageState {
  const facts: Record<string, string> = {
    ...(deployment.certificateArn ? { certificateArn: deployment.certificateArn } : {}),
    ...(deployment.version === undefined ? {} : { version: String(deployment.version) }),
    ...(deployment.importedAt ? { importedAt: deployment.importedAt } : {}),
    ...(deployment.lastError
      ? {
          lastErrorName: deployment.lastError.name,
          lastErrorMessage: deployment.lastError.message,
          lastErrorAt: deployment.lastError.at,
          lastErrorVersion: String(deployment.lastError.version),
        }
      : {}),
  };
  return { ...state, deployments: { ...(state.deployments ?? {}), [name]: facts } };
}
