import { describe, expect, it } from 'vitest';
import { ConfigError, expectedLifetimeSeconds, knownAuthorizationSeconds, presetProfileProblem, profileOf, resolveLineageSpec } from '../../../shared/config/index.js';

const DAY = 86_400;
const spec = (ca: Record<string, unknown>) => resolveLineageSpec({ domains: ['example.net'], keyType: 'ecdsa-p256', ca, dns: { provider: 'route53' } });

describe('profiles of a lineage', () => {
  it('keeps a preferred or a required profile, and refuses both', () => {
    expect(profileOf(spec({ preset: 'letsencrypt', profile: 'tlsserver' }))).toEqual({ name: 'tlsserver', required: false });
    expect(profileOf(spec({ preset: 'letsencrypt', requiredProfile: 'shortlived' }))).toEqual({ name: 'shortlived', required: true });
    expect(profileOf(spec({ preset: 'letsencrypt' }))).toBeUndefined();
    expect(() => spec({ preset: 'letsencrypt', profile: 'classic', requiredProfile: 'shortlived' })).toThrow(ConfigError);
  });

  it('warns about a profile a preset is known not to list, by preset name or by its directory URL', () => {
    expect(presetProfileProblem(spec({ preset: 'letsencrypt', profile: 'shortlived' }))).toBeUndefined();
    expect(presetProfileProblem(spec({ preset: 'letsencrypt', profile: 'tlsclient' }))).toBe(
      'certificate example.net: letsencrypt is not known to list the profile "tlsclient" (it lists classic, shortlived, tlsserver); as a preferred profile, the CA\'s default profile will be issued instead. Check the name against the CA\'s directory (meta.profiles).',
    );
    expect(presetProfileProblem(spec({ directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', requiredProfile: 'nope' }))).toContain(
      'every issuance will fail before ordering',
    );
    // A CA whose profiles acmeflow does not know: the directory decides at run time.
    expect(presetProfileProblem(spec({ preset: 'google', profile: 'anything' }))).toBeUndefined();
    expect(presetProfileProblem(spec({ directoryUrl: 'https://ca.example/dir', requiredProfile: 'x' }))).toBeUndefined();
  });

  it('knows the lifetime from the preset and its profile', () => {
    expect(expectedLifetimeSeconds(spec({ preset: 'letsencrypt' }))).toBe(90 * DAY);
    expect(expectedLifetimeSeconds(spec({ preset: 'letsencrypt', profile: 'tlsserver' }))).toBe(45 * DAY);
    expect(expectedLifetimeSeconds(spec({ preset: 'letsencrypt', requiredProfile: 'shortlived' }))).toBe(160 * 3600);
    expect(expectedLifetimeSeconds(spec({ preset: 'letsencrypt', profile: 'unknown' }))).toBe(90 * DAY);
    expect(expectedLifetimeSeconds(spec({ preset: 'jprs', eabRef: 'x' }))).toBe(200 * DAY);
    expect(expectedLifetimeSeconds(spec({ directoryUrl: 'https://ca.example/dir' }))).toBeUndefined();
  });

  it('knows the one-hour authorization window of the profiles that have one', () => {
    expect(knownAuthorizationSeconds(spec({ preset: 'letsencrypt', requiredProfile: 'shortlived' }))).toBe(3600);
    expect(knownAuthorizationSeconds(spec({ preset: 'letsencrypt', profile: 'tlsserver' }))).toBe(3600);
    expect(knownAuthorizationSeconds(spec({ preset: 'letsencrypt', profile: 'classic' }))).toBeUndefined();
    expect(knownAuthorizationSeconds(spec({ preset: 'letsencrypt' }))).toBeUndefined();
    expect(knownAuthorizationSeconds(spec({ directoryUrl: 'https://ca.example/dir', profile: 'shortlived' }))).toBeUndefined();
  });
});
