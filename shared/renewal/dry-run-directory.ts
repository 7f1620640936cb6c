import type { LineageSpec } from '../config/index.js';

/**
 * The directory a dry run (`--dry-run`) talks to: the CA's staging directory when it has one
 * (`spec.ca.stagingDirectoryUrl`, filled from the preset), else the CA itself (ZeroSSL and JPRS
 * have no staging; the dry run then still saves nothing).
 *
 * @example
 * dryRunDirectory(resolveLineageSpec({ ..., ca: { preset: 'letsencrypt' } }))
 * // → 'https://acme-staging-v02.api.letsencrypt.org/directory'
 */
export function dryRunDirectory(spec: Pick<LineageSpec, 'ca'>): string {
  return spec.ca.stagingDirectoryUrl ?? spec.ca.directoryUrl;
}
