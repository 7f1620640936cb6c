/**
 * A lineage (spec + state) as certbot's `renewal/<name>.conf`.
 *
 * Each fact lives in one place. What certbot has a key for is in certbot's key, where the operator
 * manual tells people to edit it: `renew_before_expiry` at the top level (certbot reads it there,
 * and writes it commented out), `server`, `authenticator` (`dns-<provider>`), `key_type` with
 * `rsa_key_size` / `elliptic_curve`, `reuse_key`, `preferred_chain` and the hooks (`pre_hook`,
 * `renew_hook` — certbot's name for the deploy hook — and `post_hook`) in `[renewalparams]`, so a
 * later `renew` runs them, as certbot's does.
 * Everything else is in an `[acmeflow]` section, which certbot never reads and keeps when it
 * rewrites the file itself (it deletes unknown `[renewalparams]` keys, so prefixed keys there would
 * not survive a `certbot renew`). `account` (certbot's account for the lineage) is read into the spec and
 * written back in place. Keys acmeflow does not own (other `[renewalparams]` keys, other
 * sections) are carried over unchanged when acmeflow rewrites the file. A new conf gets certbot's
 * `autorenew = False`, so that `certbot renew` (Debian's certbot.timer) leaves the lineage to
 * acmeflow instead of issuing a second certificate; an operator may change it, and it is kept.
 *
 * ```ini
 * renew_before_expiry = 30 days
 * version = 2.0.0
 * archive_dir = /etc/letsencrypt/archive/example.jp
 * cert = /etc/letsencrypt/live/example.jp/cert.pem
 * privkey = /etc/letsencrypt/live/example.jp/privkey.pem
 * chain = /etc/letsencrypt/live/example.jp/chain.pem
 * fullchain = /etc/letsencrypt/live/example.jp/fullchain.pem
 *
 * # Options used in the renewal process
 * [renewalparams]
 * authenticator = dns-route53
 * server = https://acme.amecert.jprs.jp/DV/getDirectory
 * key_type = rsa
 * rsa_key_size = 2048
 * autorenew = False
 *
 * # acmeflow's settings for this certificate (certbot ignores this section)
 * [acmeflow]
 * format = 1
 * domains = example.jp, www.example.jp
 * ca_preset = jprs
 * eab_ref = acmeflow/eab/jprs
 * account_key_type = ecdsa-p256
 * agree_tos = True
 * deploy_delay_seconds = 600
 * # State, written by acmeflow after each run
 * current_version = 1
 * current = '{"serialHex":"…","notBefore":"…","notAfter":"…","domains":["example.jp"]}'
 * ```
 */
import type { KeyType } from '../../crypto/key-type.js';
import { formatDuration, parseDuration } from '../../config/duration.js';
import { ConfigError } from '../../config/errors.js';
import { resolveLineageSpec } from '../../config/lineage-spec.js';
import type { Lineage, LineageState } from '../lineage.js';
import { CERTBOT_KINDS, type CertbotLayout } from './certbot-layout.js';
import { formatConfValue, parseConfigObj, type ConfDocument, type ConfEntry, type ConfSection, type ConfValue } from './configobj.js';
import { RenewalConfError } from './errors.js';
import { firstDifference } from './first-difference.js';
import type { LiveCertificateFacts } from './live-certificate-facts.js';

/**
 * The certbot version acmeflow's confs claim to be written by. certbot only logs a notice when a
 * conf is newer than itself; 2.0.0 is the release the operator manual's `--key-type rsa` advice is
 * about, and every key written here exists since then.
 */
export const CERTBOT_CONF_VERSION = '2.0.0';

/** The version of the `[acmeflow]` section's layout. */
export const ACMEFLOW_CONF_FORMAT = '1';

/** certbot's renewal-conf keys of the hooks (certbot stores `--deploy-hook` as `renew_hook`). */
const HOOK_KEYS = { preHook: 'pre_hook', deployHook: 'renew_hook', postHook: 'post_hook' } as const;

const TOP_OWNED = new Set(['version', 'archive_dir', ...CERTBOT_KINDS, 'renew_before_expiry']);
/** certbot's manual plugin keys, written for a lineage on the `manual` provider. */
const MANUAL_KEYS = { authHook: 'manual_auth_hook', cleanupHook: 'manual_cleanup_hook' } as const;

/**
 * Providers whose certbot plugin keeps its credentials file in `[renewalparams]`
 * (`dns_rfc2136_credentials = /etc/letsencrypt/rfc2136.ini`): the file stays named there, where
 * certbot reads it, so certbot can still renew the lineage.
 */
const CERTBOT_CREDENTIALS_KEYS: Readonly<Record<string, string>> = { rfc2136: 'dns_rfc2136_credentials', cloudflare: 'dns_cloudflare_credentials' };

/**
 * certbot's authenticators acmeflow cannot run: each reported for its lineage alone, with the
 * command that moves the lineage to dns-01 (the other lineages renew).
 */
function convertCommand(name: string): string {
  return `acmeflow reconfigure --cert-name ${name} --dns-<provider> [--dns-<provider>-credentials FILE] (or -a dns-<provider>, or --manual --preferred-challenges dns --manual-auth-hook CMD)`;
}

const RENEWALPARAMS_OWNED = new Set([
  'authenticator',
  ...Object.values(MANUAL_KEYS),
  'pref_challs',
  ...Object.values(CERTBOT_CREDENTIALS_KEYS),
  'server',
  'account',
  'key_type',
  'rsa_key_size',
  'elliptic_curve',
  'reuse_key',
  'preferred_chain',
  'renew_before_expiry',
  ...Object.values(HOOK_KEYS),
]);
const ACMEFLOW_KEYS = new Set([
  'format',
  'domains',
  'ca_preset',
  'staging_server',
  'contact',
  'eab_ref',
  'account_key_type',
  'agree_tos',
  'profile',
  'required_profile',
  'new_order_limit',
  'dns_config',
  'dns_credentials_ref',
  'dns_delegations',
  'dns_resolvers',
  'dns_propagation_timeout_seconds',
  'deploy_delay_seconds',
  'key_store',
  'endpoints',
  'current_version',
  'current',
  'ari',
  'failures',
  'revoked',
  'account_url',
  'issued_at',
  'deployments',
  'inflight',
  'announced',
]);

const CURVES: Readonly<Record<string, KeyType>> = { secp256r1: 'ecdsa-p256', prime256v1: 'ecdsa-p256', secp384r1: 'ecdsa-p384' };

/** JSON inside a configobj value: `'` escaped so the value can always be single-quoted. */
function jsonValue(value: unknown): string {
  return JSON.stringify(value).replace(/'/g, '\\u0027');
}

function keyTypeParams(keyType: KeyType): [string, string][] {
  if (keyType.startsWith('rsa-')) return [['key_type', 'rsa'], ['rsa_key_size', keyType.slice(4)]];
  return [['key_type', 'ecdsa'], ['elliptic_curve', keyType === 'ecdsa-p384' ? 'secp384r1' : 'secp256r1']];
}

/** The DNS config `[acmeflow] dns_config` holds: what certbot's own keys (the manual hooks) do not. */
function ownDnsConfig(spec: Lineage['spec']): Record<string, unknown> {
  if (spec.dns.provider !== 'manual') return spec.dns.config;
  return Object.fromEntries(Object.entries(spec.dns.config).filter(([field]) => !(field in MANUAL_KEYS)));
}

function line(key: string, value: ConfValue): string {
  return `${key} = ${formatConfValue(value)}`;
}

/**
 * Writes a lineage as certbot's renewal conf. `previous` is the file being replaced: keys and
 * sections acmeflow does not own are copied from it.
 *
 * @throws RenewalConfError when the text would not read back as exactly this lineage (a spec field
 *   the conf has no key for, a spec not resolved by `resolveLineageSpec`): nothing is lost silently.
 *
 * @example
 * ```ts
 * const text = formatRenewalConf(lineage, new CertbotLayout('/etc/letsencrypt'));
 * ```
 */
export function formatRenewalConf(lineage: Lineage, layout: CertbotLayout, previous?: ConfDocument): string {
  return renderRenewalConf(lineage, layout, previous).text;
}

/**
 * {@link formatRenewalConf}, also giving the lineage the text reads back as (checked equal to
 * `lineage`), so that a store can remember it for that content instead of reading and checking the
 * file again.
 */
export function renderRenewalConf(lineage: Lineage, layout: CertbotLayout, previous?: ConfDocument): { text: string; lineage: Lineage } {
  const { spec, state } = lineage;
  const name = spec.name;
  const section = (sectionName: string | null): ConfSection | undefined => previous?.sections.find((s) => s.name === sectionName);
  const carried = (sectionName: string | null, owned: Set<string>): string[] =>
    (section(sectionName)?.entries ?? []).filter((e) => !owned.has(e.key)).map((e) => e.text.trim());

  const out: string[] = [];
  if (spec.renewBeforeExpirySeconds === undefined) {
    // certbot writes this comment for the operator to uncomment; acmeflow's default is not certbot's.
    out.push('# renew_before_expiry = 30 days', '# (not set: acmeflow renews when a third of the lifetime is left)');
  } else {
    out.push(line('renew_before_expiry', formatDuration(spec.renewBeforeExpirySeconds)));
  }
  out.push(line('version', CERTBOT_CONF_VERSION), line('archive_dir', layout.archiveDir(name)));
  for (const kind of CERTBOT_KINDS) out.push(line(kind, layout.liveFile(name, kind)));
  out.push(...carried(null, TOP_OWNED));

  out.push('', '# Options used in the renewal process', '[renewalparams]');
  const manual = spec.dns.provider === 'manual';
  out.push(line('authenticator', manual ? 'manual' : `dns-${spec.dns.provider}`), line('server', spec.ca.directoryUrl));
  if (spec.ca.certbotAccount !== undefined) out.push(line('account', spec.ca.certbotAccount));
  const credentialsKey = CERTBOT_CREDENTIALS_KEYS[spec.dns.provider];
  if (credentialsKey !== undefined && spec.dns.credentialsRef !== undefined) out.push(line(credentialsKey, spec.dns.credentialsRef));
  if (manual) {
    // certbot's manual plugin reads these to renew; acmeflow's manual provider runs the same commands.
    for (const [field, key] of Object.entries(MANUAL_KEYS)) {
      const command = spec.dns.config[field];
      if (typeof command === 'string') out.push(line(key, command));
    }
    out.push(line('pref_challs', ['dns-01']));
  }
  for (const [key, value] of keyTypeParams(spec.keyType)) out.push(line(key, value));
  if (spec.reuseKey) out.push(line('reuse_key', 'True'));
  if (spec.ca.preferredChain !== undefined) out.push(line('preferred_chain', spec.ca.preferredChain));
  for (const [field, key] of Object.entries(HOOK_KEYS)) {
    const command = spec.hooks?.[field as keyof typeof HOOK_KEYS];
    if (command !== undefined) out.push(line(key, command));
  }
  // acmeflow renews this lineage: a `certbot renew` (Debian's certbot.timer) must not issue a second
  // certificate for it. Written once; the operator's own value is carried over after that.
  // A conf certbot wrote is certbot's lineage too: certbot keeps renewing it as before.
  if (previous === undefined) out.push(line('autorenew', 'False'));
  out.push(...carried('renewalparams', RENEWALPARAMS_OWNED));

  out.push('', "# acmeflow's settings for this certificate (certbot ignores this section)", '[acmeflow]');
  out.push(line('format', ACMEFLOW_CONF_FORMAT), line('domains', spec.domains.length === 1 ? (spec.domains[0] as string) : spec.domains));
  const optional: [string, ConfValue | undefined][] = [
    ['ca_preset', spec.ca.preset],
    ['staging_server', spec.ca.stagingDirectoryUrl],
    ['contact', spec.ca.contact.length === 0 ? undefined : spec.ca.contact.length === 1 ? (spec.ca.contact[0] as string) : spec.ca.contact],
    ['eab_ref', spec.ca.eabRef],
    ['account_key_type', spec.ca.accountKeyType],
    // certbot's --agree-tos, which certbot itself does not keep (it only matters at registration).
    ['agree_tos', spec.ca.termsOfServiceAgreed ? 'True' : undefined],
    ['profile', spec.ca.profile],
    ['required_profile', spec.ca.requiredProfile],
    ['new_order_limit', spec.ca.newOrderLimit && jsonValue(spec.ca.newOrderLimit)],
    ['dns_config', Object.keys(ownDnsConfig(spec)).length === 0 ? undefined : jsonValue(ownDnsConfig(spec))],
    ['dns_credentials_ref', credentialsKey === undefined ? spec.dns.credentialsRef : undefined],
    ['dns_delegations', Object.keys(spec.dns.delegations).length === 0 ? undefined : jsonValue(spec.dns.delegations)],
    ['dns_resolvers', spec.dns.resolvers.length === 0 ? undefined : spec.dns.resolvers.length === 1 ? (spec.dns.resolvers[0] as string) : spec.dns.resolvers],
    ['dns_propagation_timeout_seconds', spec.dns.propagationTimeoutSeconds === undefined ? undefined : String(spec.dns.propagationTimeoutSeconds)],
    ['deploy_delay_seconds', String(spec.deployDelaySeconds)],
    // Where the key lives when this lineage runs in AWS; local runs keep it in archive/ regardless.
    ['key_store', spec.keyStore],
    ['endpoints', spec.endpoints && jsonValue(spec.endpoints)],
  ];
  for (const [key, value] of optional) if (value !== undefined) out.push(line(key, value));
  out.push('# State, written by acmeflow after each run', line('current_version', String(state.currentVersion)));
  const stateValues: [string, ConfValue | undefined][] = [
    ['current', state.current && jsonValue(state.current)],
    ['ari', state.ari && jsonValue(state.ari)],
    ['failures', state.failures && jsonValue(state.failures)],
    ['revoked', state.revoked && jsonValue(state.revoked)],
    ['account_url', state.accountUrl],
    ['issued_at', state.issuedAt],
    ['deployments', state.deployments && jsonValue(state.deployments)],
    ['inflight', state.inflight && jsonValue(state.inflight)],
    ['announced', state.announced && jsonValue(state.announced)],
  ];
  for (const [key, value] of stateValues) if (value !== undefined) out.push(line(key, value));

  for (const other of previous?.sections ?? []) {
    if (other.name === null || other.name === 'renewalparams' || other.name === 'acmeflow') continue;
    out.push('', other.text.trimEnd());
  }
  const text = `${out.join('\n')}\n`;
  // A field this file has no key for (one added to the spec later) must fail loudly here, not vanish
  // on the next read; so must a spec that reads back differently (one not from resolveLineageSpec).
  const path = layout.renewalConf(name);
  const readBack = lineageFromDocument(parseConfigObj(text, path), name, path);
  const difference = firstDifference(JSON.parse(JSON.stringify(readBack)), JSON.parse(JSON.stringify(lineage)));
  if (difference !== undefined) {
    throw new RenewalConfError(path, `the lineage's ${difference} would not read back as written; store specs made by resolveLineageSpec (or teach renewal-conf.ts the field)`);
  }
  return { text, lineage: readBack };
}

/** Reads values out of one section, with errors that name the file and line. */
class SectionReader {
  constructor(
    private readonly path: string,
    private readonly section: ConfSection | undefined,
  ) {}

  entry(key: string): ConfEntry | undefined {
    return this.section?.entries.find((e) => e.key === key);
  }

  string(key: string): string | undefined {
    const entry = this.entry(key);
    if (entry === undefined) return undefined;
    if (typeof entry.value !== 'string') {
      throw new RenewalConfError(this.path, `"${key}" must be one value, not a list (quote it if it contains a comma)`, { line: entry.line });
    }
    return entry.value;
  }

  list(key: string): string[] | undefined {
    const entry = this.entry(key);
    if (entry === undefined) return undefined;
    if (typeof entry.value === 'string') return entry.value === '' ? [] : [entry.value];
    return [...entry.value];
  }

  integer(key: string): number | undefined {
    const text = this.string(key);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text.trim())) throw new RenewalConfError(this.path, `"${key}" must be a whole number, not "${text}"`, { line: this.entry(key)?.line });
    return Number(text.trim());
  }

  json(key: string, shape: 'object'): Record<string, unknown> | undefined {
    const text = this.string(key);
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new RenewalConfError(this.path, `"${key}" must be a JSON ${shape}`, { line: this.entry(key)?.line, cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RenewalConfError(this.path, `"${key}" must be a JSON ${shape}`, { line: this.entry(key)?.line });
    }
    return value as Record<string, unknown>;
  }

  /** certbot's truthiness for booleans (`util.is_truthy`-like: True/yes/on/1). */
  boolean(key: string): boolean | undefined {
    const text = this.string(key);
    if (text === undefined) return undefined;
    const lower = text.trim().toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(lower)) return true;
    if (['false', 'no', 'off', '0', ''].includes(lower)) return false;
    throw new RenewalConfError(this.path, `"${key}" must be True or False, not "${text}"`, { line: this.entry(key)?.line });
  }
}

/**
 * The provider a conf's authenticator names: `dns-<code>`, or certbot's `manual` plugin with dns-01
 * (`pref_challs` holding `dns-01`). An installer (`installer = apache`) or an HTTP-01 authenticator
 * (`webroot`, `standalone`, `nginx`, `apache`, `manual` without dns-01) is refused for this lineage,
 * naming the command that converts it.
 */
function providerOf(params: SectionReader, path: string, name: string): string {
  const installer = params.string('installer')?.trim();
  if (installer !== undefined && installer !== '' && installer.toLowerCase() !== 'none') {
    throw new RenewalConfError(
      path,
      `installer = ${installer}: acmeflow installs no certificate into a web server's configuration; servers read live/${name}/ (reload them from a --deploy-hook). Convert the lineage with: ${convertCommand(name)}`,
      { line: params.entry('installer')?.line },
    );
  }
  const authenticator = params.string('authenticator')?.trim();
  if (authenticator !== undefined && /^dns-[a-z0-9][a-z0-9-]*$/.test(authenticator)) return authenticator.slice('dns-'.length);
  if (authenticator === 'manual') {
    const challenges = params.list('pref_challs') ?? [];
    if (challenges.some((c) => c.trim() === 'dns-01' || c.trim() === 'dns')) return 'manual';
  }
  throw new RenewalConfError(
    path,
    `authenticator = ${authenticator ?? '(missing)'}${authenticator === 'manual' ? ' without pref_challs = dns-01' : ''}: acmeflow validates with dns-01 only. Convert the lineage with: ${convertCommand(name)}`,
    { line: params.entry('authenticator')?.line },
  );
}

function withoutUndefined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function keyTypeOf(params: SectionReader, path: string): KeyType {
  const keyType = (params.string('key_type') ?? 'rsa').trim().toLowerCase(); // certbot: a conf without key_type is RSA
  if (keyType === 'rsa') {
    const size = (params.string('rsa_key_size') ?? '2048').trim();
    if (['2048', '3072', '4096'].includes(size)) return `rsa-${size}` as KeyType;
    throw new RenewalConfError(path, `rsa_key_size = ${size} is not one acmeflow issues for; use 2048, 3072 or 4096`, { line: params.entry('rsa_key_size')?.line });
  }
  if (keyType === 'ecdsa') {
    const curve = (params.string('elliptic_curve') ?? 'secp256r1').trim().toLowerCase();
    const resolved = CURVES[curve];
    if (resolved) return resolved;
    throw new RenewalConfError(path, `elliptic_curve = ${curve} is not one acmeflow issues for; use secp256r1 or secp384r1`, {
      line: params.entry('elliptic_curve')?.line,
    });
  }
  throw new RenewalConfError(path, `key_type = ${keyType}: use rsa or ecdsa`, { line: params.entry('key_type')?.line });
}

/**
 * Reads a renewal conf back into a lineage. The lineage's name is the file's (as in certbot), and
 * the spec goes through `resolveLineageSpec`, so a hand edit is checked like any other input: an
 * operator's `renew_before_expiry = 91 days` becomes `renewBeforeExpirySeconds: 7862400`.
 *
 * @throws RenewalConfError for syntax, for a conf without `[acmeflow]` (a certificate certbot
 *   manages), and for values acmeflow cannot use; the message names the line.
 */
export function parseRenewalConf(text: string, name: string, path: string, live?: LiveCertificateFacts): Lineage {
  return lineageFromDocument(parseConfigObj(text, path), name, path, live);
}

/**
 * {@link parseRenewalConf} for a document parsed already. `live` is what `live/<name>/cert.pem`
 * serves: a conf certbot wrote (no `[acmeflow]` section) takes its names and state from it, as
 * certbot does; and when certbot renewed a lineage after acmeflow last wrote it, the state follows
 * the certificate `live/` serves.
 */
export function lineageFromDocument(document: ConfDocument, name: string, path: string, live?: LiveCertificateFacts): Lineage {
  const find = (sectionName: string | null) => document.sections.find((s) => s.name === sectionName);
  const top = new SectionReader(path, find(null));
  const params = new SectionReader(path, find('renewalparams'));
  const ownSection = find('acmeflow') ?? (live ? { name: 'acmeflow', entries: [], text: '', line: 0 } : undefined);
  if (ownSection === undefined) {
    throw new RenewalConfError(path, 'certbot wrote this conf and live/ serves no certificate to read its names from. Issue it again with acmeflow certonly (or certbot) to renew it here');
  }
  const certbotMade = find('acmeflow') === undefined;
  const own = new SectionReader(path, ownSection);
  const unknown = ownSection.entries.find((e) => !ACMEFLOW_KEYS.has(e.key));
  if (unknown) throw new RenewalConfError(path, `[acmeflow] has no setting "${unknown.key}"`, { line: unknown.line });
  const format = certbotMade ? ACMEFLOW_CONF_FORMAT : own.string('format');
  if (format !== ACMEFLOW_CONF_FORMAT) {
    throw new RenewalConfError(path, `[acmeflow] format = ${format ?? '(missing)'}; this acmeflow reads format ${ACMEFLOW_CONF_FORMAT}. Upgrade acmeflow`, {
      line: own.entry('format')?.line ?? ownSection.line,
    });
  }

  const provider = providerOf(params, path, name);
  const credentialsKey = CERTBOT_CREDENTIALS_KEYS[provider];
  const server = params.string('server');
  if (server === undefined) throw new RenewalConfError(path, '[renewalparams] has no "server" (the CA\'s ACME directory URL)');

  const renewEntry = top.entry('renew_before_expiry') ?? params.entry('renew_before_expiry');
  let renewBeforeExpiry: number | undefined;
  if (renewEntry !== undefined) {
    const reader = top.entry('renew_before_expiry') ? top : params;
    try {
      renewBeforeExpiry = parseDuration(reader.string('renew_before_expiry') as string, 'renew_before_expiry');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new RenewalConfError(path, error.message, { line: renewEntry.line, cause: error });
    }
  }

  const domains = own.list('domains') ?? (certbotMade ? live?.current.domains.slice() : undefined);
  if (domains === undefined) throw new RenewalConfError(path, '[acmeflow] has no "domains"', { line: ownSection.line });
  const manualHooks =
    provider === 'manual' ? withoutUndefined({ authHook: params.string(MANUAL_KEYS.authHook), cleanupHook: params.string(MANUAL_KEYS.cleanupHook) }) : {};
  const input = withoutUndefined({
    name,
    domains,
    keyType: keyTypeOf(params, path),
    ca: withoutUndefined({
      preset: own.string('ca_preset'),
      directoryUrl: server.trim(),
      stagingDirectoryUrl: own.string('staging_server'),
      contact: own.list('contact'),
      eabRef: own.string('eab_ref'),
      accountKeyType: own.string('account_key_type'),
      termsOfServiceAgreed: own.boolean('agree_tos'),
      profile: own.string('profile'),
      requiredProfile: own.string('required_profile'),
      newOrderLimit: own.json('new_order_limit', 'object'),
      preferredChain: params.string('preferred_chain'),
      // certbot's choice among several accounts at the CA (certbot's `--account`), kept for every renewal.
      certbotAccount: params.string('account')?.trim(),
    }),
    dns: withoutUndefined({
      provider,
      config: provider === 'manual' ? { ...own.json('dns_config', 'object'), ...manualHooks } : own.json('dns_config', 'object'),
      credentialsRef: own.string('dns_credentials_ref') ?? (credentialsKey === undefined ? undefined : params.string(credentialsKey)),
      delegations: own.json('dns_delegations', 'object'),
      resolvers: own.list('dns_resolvers'),
      propagationTimeoutSeconds: own.integer('dns_propagation_timeout_seconds'),
    }),
    renewBeforeExpiry,
    deployDelay: own.integer('deploy_delay_seconds'),
    reuseKey: params.boolean('reuse_key'),
    hooks: withoutUndefined({ preHook: params.string(HOOK_KEYS.preHook), deployHook: params.string(HOOK_KEYS.deployHook), postHook: params.string(HOOK_KEYS.postHook) }),
    keyStore: own.string('key_store'),
    endpoints: endpointsOf(own),
  });
  let spec;
  try {
    spec = resolveLineageSpec(input);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new RenewalConfError(path, error.message, { cause: error });
  }

  const recorded = own.integer('current_version') ?? 0;
  // certbot renewed the lineage since acmeflow last wrote it (or it never did): live/ is the truth,
  // and what acmeflow kept about the older certificate (its ARI window, failures) no longer applies.
  if (live !== undefined && live.version > recorded) {
    return {
      spec,
      state: withoutUndefined({
        currentVersion: live.version,
        current: live.current,
        revoked: undefined,
        accountUrl: own.string('account_url'),
        issuedAt: own.string('issued_at'),
        deployments: own.json('deployments', 'object') as LineageState['deployments'],
        inflight: own.json('inflight', 'object') as LineageState['inflight'],
      }) as LineageState,
    };
  }
  const state: LineageState = withoutUndefined({
    currentVersion: recorded,
    current: own.json('current', 'object') as LineageState['current'],
    ari: own.json('ari', 'object') as LineageState['ari'],
    failures: own.json('failures', 'object') as LineageState['failures'],
    revoked: own.json('revoked', 'object') as LineageState['revoked'],
    accountUrl: own.string('account_url'),
    issuedAt: own.string('issued_at'),
    deployments: own.json('deployments', 'object') as LineageState['deployments'],
    inflight: own.json('inflight', 'object') as LineageState['inflight'],
    announced: own.json('announced', 'object') as LineageState['announced'],
  }) as LineageState;
  return { spec, state };
}

/**
 * `endpoints`: the JSON list acmeflow writes, or what an operator writes by hand, a comma list of
 * `host[:port]` (`endpoints = www.example.jp, api.example.jp:8443`). Checked by the spec's schema.
 */
function endpointsOf(own: { list(key: string): string[] | undefined }): unknown {
  const values = own.list('endpoints');
  const text = values?.length === 1 ? values[0] : undefined;
  if (text?.trim().startsWith('[{')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not JSON after all: the schema names what is wrong with it as a list.
    }
  }
  return values;
}
