import { describe, expect, it } from 'vitest';
import { caSpecSchema, dnsSpecSchema, lineageSpecInputSchema, resolveLineageSpec } from '../../../../shared/config/index.js';
import { CertbotLayout, formatRenewalConf, parseRenewalConf } from '../../../../shared/store/filesystem/index.js';
import { parseConfigObj } from '../../../../shared/store/filesystem/configobj.js';
import { fullLineage, minimalLineage } from './fixtures.js';

const layout = new CertbotLayout('/etc/letsencrypt');
const PATH = '/etc/letsencrypt/renewal/example.jp.conf';

function caught(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected an error');
}

describe('formatRenewalConf', () => {
  it("writes certbot's top-level keys and [renewalparams], and acmeflow's in [acmeflow]", () => {
    const text = formatRenewalConf(fullLineage(), layout);
    const lines = text.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'renew_before_expiry = 45 days',
      'version = 2.0.0',
      'archive_dir = /etc/letsencrypt/archive/example.jp',
      'cert = /etc/letsencrypt/live/example.jp/cert.pem',
      'privkey = /etc/letsencrypt/live/example.jp/privkey.pem',
      'chain = /etc/letsencrypt/live/example.jp/chain.pem',
      'fullchain = /etc/letsencrypt/live/example.jp/fullchain.pem',
    ]);
    const params = text.slice(text.indexOf('[renewalparams]'), text.indexOf('\n\n', text.indexOf('[renewalparams]')));
    expect(params.split('\n')).toEqual([
      '[renewalparams]',
      'authenticator = dns-rfc2136',
      'server = https://acme.amecert.jprs.jp/DV/getDirectory',
      // certbot's account for the lineage, where certbot reads it.
      'account = 2e48c3a46f5c9b7327ac86e9b40ef680',
      // certbot's own key for its rfc2136 plugin's credentials file, so certbot can renew the lineage too.
      'dns_rfc2136_credentials = /etc/letsencrypt/rfc2136.ini',
      'key_type = rsa',
      'rsa_key_size = 3072',
      'reuse_key = True',
      'preferred_chain = "ISRG Root X1, the \'old\' one # really"',
      'pre_hook = "systemctl stop haproxy, then # wait"',
      `renew_hook = """cp "$RENEWED_LINEAGE/fullchain.pem" '/srv/tls/' && systemctl reload nginx"""`,
      `post_hook = 'logger -t acmeflow "renewal run done"'`,
      'autorenew = False',
    ]);
    expect(text).toContain('\n[acmeflow]\nformat = 1\ndomains = example.jp, www.example.jp, *.app.example.jp\n');
    expect(text).toContain('\ndeploy_delay_seconds = 900\n');
    expect(text).toContain('\ncurrent_version = 2\n');
    expect(text).not.toContain('dns_credentials_ref');
  });

  it("writes an ECDSA key as certbot does, and certbot's commented threshold when none is set", () => {
    const text = formatRenewalConf(minimalLineage(), layout);
    expect(text.startsWith('# renew_before_expiry = 30 days\n')).toBe(true);
    expect(text).not.toMatch(/^renew_before_expiry/m);
    expect(text).toContain('\nkey_type = ecdsa\nelliptic_curve = secp256r1\n');
    expect(text).not.toContain('rsa_key_size');
    expect(text).not.toContain('reuse_key');
    expect(text).toContain('\ndomains = example.com\n');
  });

  it('refuses a spec that would read back differently, naming the field, instead of losing it', () => {
    const lineage = fullLineage();
    // A jprs spec without its threshold would come back with the preset's 30 days.
    const { renewBeforeExpirySeconds: _dropped, ...spec } = lineage.spec;
    const error = caught(() => formatRenewalConf({ ...lineage, spec }, layout));
    expect(error.name).toBe('RenewalConfError');
    expect(error.message).toContain('spec.renewBeforeExpirySeconds');
    const withExtra = { ...lineage, spec: { ...lineage.spec, ca: { ...lineage.spec.ca, futureField: 'x' } } };
    expect(caught(() => formatRenewalConf(withExtra, layout)).message).toContain('spec.ca.futureField');
  });
});

describe('parseRenewalConf', () => {
  it.each([
    ['every field set', fullLineage()],
    ['nothing optional', minimalLineage()],
    ['ECDSA P-384, one contact, one resolver, terms agreed', fullLineage({ keyType: 'ecdsa-p384', ca: { preset: 'letsencrypt', contact: ['a@example.jp'], termsOfServiceAgreed: true }, dns: { provider: 'route53', resolvers: ['192.0.2.1:53'] } }, { current: undefined, ari: undefined, failures: undefined, revoked: undefined })],
    ['a custom CA URL and no preset', { spec: resolveLineageSpec({ domains: ['a.example'], keyType: 'rsa-4096', ca: { directoryUrl: 'https://ca.internal:14000/dir' }, dns: { provider: 'cloudflare' }, renewBeforeExpiry: '12h' }), state: { currentVersion: 7 } }],
  ])('reads back the lineage it wrote (%s)', (_, lineage) => {
    const name = lineage.spec.name;
    expect(parseRenewalConf(formatRenewalConf(lineage, layout), name, `/etc/letsencrypt/renewal/${name}.conf`)).toEqual(lineage);
  });

  it('has a conf key for every spec field: the fixture sets each one away from its default, so the round trip covers it', () => {
    const lineage = fullLineage();
    const defaults = resolveLineageSpec({ domains: ['example.jp'], keyType: 'ecdsa-p256', ca: { directoryUrl: 'https://ca.example/dir' }, dns: { provider: 'route53' } });
    // name is the file's name; renewBeforeExpiry and deployDelay are stored resolved, as seconds.
    const fields = [
      ...Object.keys(lineageSpecInputSchema.shape).filter((k) => !['name', 'ca', 'dns', 'renewBeforeExpiry', 'deployDelay'].includes(k)).map((k) => [k]),
      ['renewBeforeExpirySeconds'],
      ['deployDelaySeconds'],
      // A lineage has a preferred or a required profile, never both: requiredProfile has its own round trip below.
      ...Object.keys(caSpecSchema.shape)
        .filter((k) => k !== 'requiredProfile')
        .map((k) => ['ca', k]),
      ...Object.keys(dnsSpecSchema.shape).map((k) => ['dns', k]),
    ];
    const at = (object: unknown, path: string[]) => path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], object);
    const atDefault = fields.filter((path) => JSON.stringify(at(lineage.spec, path)) === JSON.stringify(at(defaults, path))).map((p) => p.join('.'));
    expect(atDefault, 'set these in fullLineage() and give them a key in renewal-conf.ts').toEqual([]);
  });

  it('keeps the outbox (what was announced of the current version) across a write and a read', () => {
    const lineage = minimalLineage();
    const announced = { version: 2, issued: true, deployable: false, deployableAt: '2026-03-01T10:10:00.000Z' };
    const text = formatRenewalConf({ spec: lineage.spec, state: { ...lineage.state, currentVersion: 2, announced } }, layout);
    expect(parseRenewalConf(text, lineage.spec.name, PATH).state.announced).toEqual(announced);
    expect(parseRenewalConf(formatRenewalConf(lineage, layout), lineage.spec.name, PATH).state.announced).toBeUndefined();
  });

  it('reads endpoints an operator lists by hand as host[:port], and refuses one that is not', () => {
    const text = formatRenewalConf(minimalLineage(), layout).replace('[acmeflow]\n', '[acmeflow]\nendpoints = www.example.jp, [2001:db8::1]:8443\n');
    expect(parseRenewalConf(text, 'example.jp', PATH).spec.endpoints).toEqual([
      { host: 'www.example.jp', port: 443 },
      { host: '2001:db8::1', port: 8443 },
    ]);
    const bad = formatRenewalConf(minimalLineage(), layout).replace('[acmeflow]\n', '[acmeflow]\nendpoints = www.example.jp:99999\n');
    expect(caught(() => parseRenewalConf(bad, 'example.jp', PATH)).name).toBe('RenewalConfError');
  });

  it("keeps a required profile (certbot's --required-profile) as required_profile", () => {
    const lineage = fullLineage({ ca: { preset: 'letsencrypt', requiredProfile: 'shortlived' } });
    const written = formatRenewalConf(lineage, layout);
    expect(written).toContain('required_profile = shortlived');
    expect(parseRenewalConf(written, 'example.jp', PATH).spec.ca).toMatchObject({ requiredProfile: 'shortlived' });
    expect(parseRenewalConf(written, 'example.jp', PATH).spec.ca).not.toHaveProperty('profile');
  });

  it("reads an operator's hand edit of renew_before_expiry, as the operator manual instructs", () => {
    const written = formatRenewalConf(fullLineage(), layout);
    const edited = written.replace('renew_before_expiry = 45 days', 'renew_before_expiry = 91 days');
    expect(parseRenewalConf(edited, 'example.jp', PATH).spec.renewBeforeExpirySeconds).toBe(91 * 86400);
  });

  it("reads certbot's commented-out threshold once uncommented, with an inline comment, or under [renewalparams]", () => {
    const written = formatRenewalConf(minimalLineage(), layout);
    expect(parseRenewalConf(written, 'example.com', PATH).spec.renewBeforeExpirySeconds).toBeUndefined();
    const uncommented = written.replace('# renew_before_expiry = 30 days', 'renew_before_expiry = 91 days  # longer than the lifetime');
    expect(parseRenewalConf(uncommented, 'example.com', PATH).spec.renewBeforeExpirySeconds).toBe(7_862_400);
    const inParams = written.replace('[renewalparams]\n', '[renewalparams]\nrenew_before_expiry = 10 days\n');
    expect(parseRenewalConf(inParams, 'example.com', PATH).spec.renewBeforeExpirySeconds).toBe(864_000);
    const both = uncommented.replace('[renewalparams]\n', '[renewalparams]\nrenew_before_expiry = 10 days\n');
    expect(parseRenewalConf(both, 'example.com', PATH).spec.renewBeforeExpirySeconds).toBe(7_862_400);
  });

  it("takes certbot's keys as the truth for what certbot has keys for", () => {
    const written = formatRenewalConf(fullLineage(), layout);
    const edited = written
      .replace('key_type = rsa\nrsa_key_size = 3072', 'key_type = ecdsa\nelliptic_curve = secp384r1')
      .replace('server = https://acme.amecert.jprs.jp/DV/getDirectory', 'server = https://acme.example/directory')
      .replace('authenticator = dns-rfc2136', 'authenticator = dns-route53')
      .replace('reuse_key = True', 'reuse_key = False');
    const { spec } = parseRenewalConf(edited, 'example.jp', PATH);
    expect(spec).toMatchObject({ keyType: 'ecdsa-p384', ca: { directoryUrl: 'https://acme.example/directory' }, dns: { provider: 'route53' }, reuseKey: false });
    const noKeyType = written.replace('key_type = rsa\nrsa_key_size = 3072\n', '');
    expect(parseRenewalConf(noKeyType, 'example.jp', PATH).spec.keyType).toBe('rsa-2048'); // certbot's default for old confs
  });

  it("keeps the hooks under certbot's keys (pre_hook, renew_hook, post_hook in [renewalparams]), so a later renew runs them", () => {
    const written = formatRenewalConf(fullLineage(), layout);
    const params = written.slice(written.indexOf('[renewalparams]'), written.indexOf('[acmeflow]'));
    expect(params).toContain('pre_hook = "systemctl stop haproxy, then # wait"');
    expect(params).toContain(`renew_hook = """cp "$RENEWED_LINEAGE/fullchain.pem" '/srv/tls/' && systemctl reload nginx"""`);
    expect(params).toContain(`post_hook = 'logger -t acmeflow "renewal run done"'`);
    // As certbot writes them (bare words), and edited by hand: read as the lineage's hooks.
    const edited = formatRenewalConf(minimalLineage(), layout).replace('[renewalparams]\n', '[renewalparams]\nrenew_hook = systemctl reload nginx\npost_hook = /usr/local/bin/notify\n');
    expect(parseRenewalConf(edited, 'example.com', PATH).spec.hooks).toEqual({ deployHook: 'systemctl reload nginx', postHook: '/usr/local/bin/notify' });
    expect(parseRenewalConf(formatRenewalConf(minimalLineage(), layout), 'example.com', PATH).spec.hooks).toBeUndefined();
  });

  it('names the lineage after the file, like certbot', () => {
    expect(parseRenewalConf(formatRenewalConf(minimalLineage(), layout), 'renamed.example', PATH).spec.name).toBe('renamed.example');
  });

  it('turns the previous conf\'s keys acmeflow does not own into the new one, once', () => {
    const first = formatRenewalConf(minimalLineage(), layout);
    const edited = first
      .replace('version = 2.0.0\n', 'version = 2.0.0\nmy_note = kept\n')
      .replace('[renewalparams]\n', '[renewalparams]\naccount = 0123abcd\ninstaller = None\nserver = https://old.example/dir\n')
      .replace('authenticator = dns-route53\nserver = https://acme-v02.api.letsencrypt.org/directory\n', 'authenticator = dns-route53\n')
      .concat('\n[custom]\n# operator notes\nowner = web team\n');
    const lineage = minimalLineage();
    const rewritten = formatRenewalConf({ ...lineage, state: { currentVersion: 1 } }, layout, parseConfigObj(edited, PATH));
    expect(rewritten).toContain('\nmy_note = kept\n');
    // `account` is the spec's (certbot's account for the lineage): this lineage has none.
    expect(rewritten).toContain('\ninstaller = None\n');
    expect(rewritten).not.toContain('account = 0123abcd');
    expect(rewritten).toContain('\n[custom]\n# operator notes\nowner = web team\n');
    expect(rewritten.match(/^server = /gm)).toHaveLength(1);
    expect(rewritten).toContain('server = https://acme-v02.api.letsencrypt.org/directory');
    expect(rewritten).not.toContain('old.example');
    expect(rewritten).toContain('\ncurrent_version = 1\n');
  });

  it("reads certbot's account for the lineage from [renewalparams] account, and writes it back once, after server", () => {
    const first = formatRenewalConf(minimalLineage(), layout);
    const edited = first.replace('[renewalparams]\n', '[renewalparams]\naccount = 0123abcd\n');
    const lineage = parseRenewalConf(edited, 'example.com', PATH);
    expect(lineage.spec.ca.certbotAccount).toBe('0123abcd');
    const rewritten = formatRenewalConf(lineage, layout, parseConfigObj(edited, PATH));
    expect(rewritten.match(/^account = /gm)).toHaveLength(1);
    expect(rewritten).toContain('\nserver = https://acme-v02.api.letsencrypt.org/directory\naccount = 0123abcd\n');
    expect(() => parseRenewalConf(first.replace('[renewalparams]\n', '[renewalparams]\naccount = ../x\n'), 'example.com', PATH)).toThrow(
      expect.objectContaining({ name: 'RenewalConfError', message: expect.stringContaining('certbot account id') }),
    );
  });

  it("turns off certbot's own renewal in a new conf, and keeps the operator's choice after that", () => {
    const first = formatRenewalConf(minimalLineage(), layout);
    expect(first.match(/^autorenew = False$/gm)).toHaveLength(1);
    const rewritten = formatRenewalConf(minimalLineage(), layout, parseConfigObj(first, PATH));
    expect(rewritten.match(/^autorenew = /gm)).toHaveLength(1);
    const operator = first.replace('autorenew = False', 'autorenew = True');
    expect(formatRenewalConf(minimalLineage(), layout, parseConfigObj(operator, PATH))).toMatch(/^autorenew = True$/m);
  });

  it("refuses a conf certbot wrote when live/ serves no certificate to take its names from", () => {
    const conf = `version = 2.1.0\ncert = /etc/letsencrypt/live/x/cert.pem\n[renewalparams]\nauthenticator = dns-route53\nserver = https://acme-v02.api.letsencrypt.org/directory\n`;
    const error = caught(() => parseRenewalConf(conf, 'x', PATH));
    expect(error.name).toBe('RenewalConfError');
    expect(error.message).toContain('live/ serves no certificate');
  });

  it.each([
    ['renew_before_expiry = 45 days', 'renew_before_expiry = soon', 1, 'not a duration'],
    ['authenticator = dns-rfc2136', 'authenticator = webroot', 11, 'dns-01 only'],
    ['rsa_key_size = 3072', 'rsa_key_size = 1024', 16, '2048, 3072 or 4096'],
    ['format = 1', 'format = 2', 26, 'Upgrade acmeflow'],
    ['deploy_delay_seconds = 900', 'deploy_delay_seconds = 10 minutes', undefined, 'whole number'],
    ['deploy_delay_seconds = 900', 'deploy_delay_seconds = 900\ndeploy_dealy = 60', undefined, 'no setting "deploy_dealy"'],
    ['reuse_key = True', 'reuse_key = maybe', 17, 'True or False'],
    ['ca_preset = jprs', 'ca_preset = nosuchca', undefined, 'unknown CA'],
    ['account_key_type = ecdsa-p384', 'account_key_type = dsa', undefined, 'accountKeyType'],
  ])('rejects a bad hand edit (%s → %s) with a typed error naming the line', (from, to, line, problem) => {
    const text = formatRenewalConf(fullLineage(), layout).replace(from, to);
    const error = caught(() => parseRenewalConf(text, 'example.jp', PATH));
    expect(error.name).toBe('RenewalConfError');
    expect(error.message).toContain(problem);
    expect(error.message).toContain(PATH);
    if (line !== undefined) expect(error.line).toBe(line);
  });
});
