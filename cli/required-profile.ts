import { AcmeProfileNotOfferedError, createAcmeContext, getDirectory, type FetchFunction } from '../shared/acme/index.js';
import { profileOf, type LineageSpec } from '../shared/config/index.js';

/**
 * A required profile (draft-ietf-acme-profiles §3, certbot's `--required-profile`) checked against the
 * CA's directory before anything is registered or ordered: {@link AcmeProfileNotOfferedError} when the
 * directory does not list it, which the command reports as bad input (exit 2) with its explanation.
 * A preferred profile is not checked here: it falls back at order time, with a note.
 *
 * @example
 * await checkRequiredProfile(spec, spec.ca.directoryUrl, cmd.fetch);
 */
export async function checkRequiredProfile(spec: Pick<LineageSpec, 'ca'>, directoryUrl: string, fetch?: FetchFunction): Promise<void> {
  const profile = profileOf(spec);
  if (!profile?.required) return;
  const dir = await getDirectory(createAcmeContext({ directoryUrl, ...(fetch ? { fetch } : {}) }));
  const offered = Object.keys(dir.meta?.profiles ?? {});
  if (!offered.includes(profile.name)) throw new AcmeProfileNotOfferedError(directoryUrl, profile.name, offered);
}
