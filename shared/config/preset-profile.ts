import { CA_PRESETS, isCaPresetName, presetForDirectoryUrl, type CaPreset } from './ca-presets.js';
import type { LineageSpec } from './lineage-spec.js';

/** The CA preset a lineage names, or whose directory URL it uses; undefined for any other CA. */
export function presetOf(spec: Pick<LineageSpec, 'ca'>): CaPreset | undefined {
  const named = spec.ca.preset !== undefined && isCaPresetName(spec.ca.preset) ? CA_PRESETS[spec.ca.preset] : undefined;
  return named ?? presetForDirectoryUrl(spec.ca.directoryUrl);
}

/** The profile a lineage asks for, and whether it insists (draft-ietf-acme-profiles §3). */
export function profileOf(spec: Pick<LineageSpec, 'ca'>): { readonly name: string; readonly required: boolean } | undefined {
  if (spec.ca.requiredProfile !== undefined) return { name: spec.ca.requiredProfile, required: true };
  return spec.ca.profile === undefined ? undefined : { name: spec.ca.profile, required: false };
}

/**
 * Why a lineage's profile will not be honoured by its CA preset, from what acmeflow knows of the
 * preset's directory: a sentence for a synth warning, or undefined (no profile, a CA whose profiles
 * are not known, or a profile it lists). The directory itself decides at run time.
 *
 * @example
 * presetProfileProblem(spec) // 'certificate example.com: letsencrypt is not known to list the profile "tlsclient" (it lists classic, shortlived, tlsserver); ...'
 */
export function presetProfileProblem(spec: Pick<LineageSpec, 'name' | 'ca'>): string | undefined {
  const profile = profileOf(spec);
  const preset = presetOf(spec);
  if (!profile || !preset?.profiles || Object.hasOwn(preset.profiles, profile.name)) return undefined;
  const listed = Object.keys(preset.profiles).sort().join(', ');
  const outcome = profile.required
    ? 'as a required profile, every issuance will fail before ordering (AcmeProfileNotOfferedError)'
    : "as a preferred profile, the CA's default profile will be issued instead";
  return `certificate ${spec.name}: ${preset.name} is not known to list the profile "${profile.name}" (it lists ${listed}); ${outcome}. Check the name against the CA's directory (meta.profiles).`;
}

/**
 * The lifetime a lineage's certificates will have, in seconds, as far as its CA preset says: the
 * profile's when the preset lists it, else the preset's default. Undefined for a CA acmeflow has no
 * preset for (the renewal schedule then takes its default).
 */
export function expectedLifetimeSeconds(spec: Pick<LineageSpec, 'ca'>): number | undefined {
  const preset = presetOf(spec);
  const profile = profileOf(spec);
  const listed = profile && preset?.profiles && Object.hasOwn(preset.profiles, profile.name) ? preset.profiles[profile.name] : undefined;
  return listed?.lifetimeSeconds ?? preset?.lifetimeSeconds;
}

/**
 * Seconds a pending authorization of this lineage's orders stays usable, when its CA preset says so
 * for the profile asked (Let's Encrypt's `tlsserver` and `shortlived`: one hour). Undefined otherwise:
 * the authorization's own `expires` (RFC 8555 §7.1.4) is then the only deadline.
 */
export function knownAuthorizationSeconds(spec: Pick<LineageSpec, 'ca'>): number | undefined {
  const preset = presetOf(spec);
  const profile = profileOf(spec);
  if (!profile || !preset?.profiles || !Object.hasOwn(preset.profiles, profile.name)) return undefined;
  return preset.profiles[profile.name]?.authorizationSeconds;
}
