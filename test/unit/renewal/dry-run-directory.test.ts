import { describe, expect, it } from 'vitest';
import { CA_PRESETS, resolveLineageSpec } from '../../../shared/config/index.js';
import { dryRunDirectory } from '../../../shared/renewal/index.js';

const base = { domains: ['example.com'], keyType: 'ecdsa-p256', dns: { provider: 'route53' } } as const;

describe('dryRunDirectory', () => {
  it.each([
    ["Let's Encrypt → its staging", { preset: 'letsencrypt' }, CA_PRESETS.letsencrypt.stagingDirectoryUrl],
    ['Google → its staging', { preset: 'google', eabRef: 'eab' }, CA_PRESETS.google.stagingDirectoryUrl],
    ['JPRS has no staging → the CA itself', { preset: 'jprs', eabRef: 'eab' }, CA_PRESETS.jprs.directoryUrl],
    ['ZeroSSL has no staging → the CA itself', { preset: 'zerossl', eabRef: 'eab' }, CA_PRESETS.zerossl.directoryUrl],
    ['a custom CA → itself', { directoryUrl: 'https://ca.internal/acme/directory' }, 'https://ca.internal/acme/directory'],
    [
      'a custom CA with its own staging',
      { directoryUrl: 'https://ca.internal/acme/directory', stagingDirectoryUrl: 'https://ca.internal/staging/directory' },
      'https://ca.internal/staging/directory',
    ],
  ])('%s', (_name, ca, expected) => {
    expect(dryRunDirectory(resolveLineageSpec({ ...base, ca }))).toBe(expected);
  });
});
