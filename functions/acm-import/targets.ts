import { LINEAGE_NAME } from '../../shared/config/lineage-spec.js';
import { ConfigurationError } from '../runtime/errors.js';

/**
 * One ACM target of the hook, as the construct writes it into ACMEFLOW_ACM_TARGETS: where to import
 * (region, and the role of another account) and which lineages go there.
 */
export interface AcmTarget {
  /** Where the lineage state keeps this target's ARN (`deployments[name]`). */
  readonly name: string;
  /** @default the function's AWS_REGION */
  readonly region?: string;
  /** A role in another account the hook assumes to import there. @default the function's own role */
  readonly roleArn?: string;
  /** Only these lineages. @default every lineage of the hook */
  readonly lineages?: readonly string[];
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Reads ACMEFLOW_ACM_TARGETS (a JSON array of {@link AcmTarget}); unset, one target `acm` in
 * ACMEFLOW_ACM_REGION (or the function's region). Anything else is a ConfigurationError naming the variable.
 *
 * @example
 * ```ts
 * parseAcmTargets('[{"name":"acm:us-east-1","region":"us-east-1"}]', undefined); // [{ name: 'acm:us-east-1', region: 'us-east-1' }]
 * ```
 */
export function parseAcmTargets(json: string | undefined, legacyRegion: string | undefined): AcmTarget[] {
  if (json === undefined || json.trim() === '') return [{ name: 'acm', ...(legacyRegion ? { region: legacyRegion } : {}) }];
  const fail = (why: string): never => {
    throw new ConfigurationError(`The environment variable ACMEFLOW_ACM_TARGETS ${why}.`, { variable: 'ACMEFLOW_ACM_TARGETS' });
  };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    fail('is not JSON');
  }
  if (!Array.isArray(value) || value.length === 0) return fail('must be a non-empty JSON array');
  const names = new Set<string>();
  return value.map((entry: unknown, i): AcmTarget => {
    const t = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof t.name !== 'string' || !/^acm(:[\w-]+)*$/.test(t.name)) fail(`[${i}].name must be "acm" or "acm:<...>"`);
    if (names.has(t.name as string)) fail(`names "${String(t.name)}" twice`);
    names.add(t.name as string);
    if (t.region !== undefined && (typeof t.region !== 'string' || !REGION.test(t.region))) fail(`[${i}].region is not a region name`);
    if (t.roleArn !== undefined && (typeof t.roleArn !== 'string' || !ROLE_ARN.test(t.roleArn))) fail(`[${i}].roleArn is not an IAM role ARN`);
    if (t.lineages !== undefined && (!Array.isArray(t.lineages) || !t.lineages.every((l) => typeof l === 'string' && LINEAGE_NAME.test(l)))) {
      fail(`[${i}].lineages must be lineage names`);
    }
    return {
      name: t.name as string,
      ...(t.region === undefined ? {} : { region: t.region as string }),
      ...(t.roleArn === undefined ? {} : { roleArn: t.roleArn as string }),
      ...(t.lineages === undefined ? {} : { lineages: t.lineages as string[] }),
    };
  });
}
