import { realpath } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { createAcmeContext, getDirectory } from '../../shared/acme/index.js';
import { presetForDirectoryUrl } from '../../shared/config/index.js';
import { decideRenewal } from '../../shared/renewal/index.js';
import { parseCertificate } from '../../shared/crypto/index.js';
import { existsSync } from 'node:fs';
import { FilesystemCertificateStore, RenewalConfError } from '../../shared/store/filesystem/index.js';
import type { IssuanceOutcome } from '../../engine/index.js';
import { hasAccount, registerAccount, type AccountFlags } from '../account.js';
import { dnsFromFlags, type DnsChoice } from '../dns-flags.js';
import type { CommandContext } from '../engine-runner.js';
import { UsageError } from '../usage-error.js';
import { lineageNamed } from '../unreadable-lineages.js';
import { checkRequiredProfile } from '../required-profile.js';
import type {
  AccountOutcome,
  AccountRequest,
  Backend,
  ReconfigureRequest,
  CertificateListing,
  IssueOutcome,
  IssueProgress,
  IssueRequest,
  ListCertificatesRequest,
  RegisterOutcome,
  RegisterRequest,
  RenewOutcome,
  RenewRequest,
  RenewResult,
  RevokeOutcome,
  RevokeRequest,
} from './backend.js';
import { certificateRows } from './certificate-rows.js';
import { notYetDue } from './not-yet-due.js';
import { savePropagationTimeout } from './save-propagation-timeout.js';

/**
 * Steps before every record is published. A failure there is mostly one that changed nothing (no
 * credentials, no such zone), and a lineage kept for it would be written by a command that failed
 * on bad input; the rare PublishRecords failure after some of its changes, followed by a cleanup
 * that fails too, still leaves those records behind.
 */
const NOTHING_PUBLISHED_YET = new Set(['PrepareOrder', 'PublishRecords']);

/**
 * The verbs on this machine: lineages, keys and accounts in certbot's layout under the config
 * directory, the workflow run by the local engine (engine/), hooks run as certbot runs them.
 *
 * @example
 * ```ts
 * const backend = new LocalBackend(cmd, '/etc/acmeflow');
 * const listing = await backend.listCertificates({});
 * ```
 */
export class LocalBackend implements Backend {
  readonly #cmd: CommandContext;
  readonly #store: FilesystemCertificateStore;

  constructor(
    cmd: CommandContext,
    readonly configDir: string,
  ) {
    this.#cmd = cmd;
    this.#store = new FilesystemCertificateStore({ configDir });
  }

  /** A credentials file on this machine, checked now (see dnsFromFlags). */
  dnsFromFlags(values: Record<string, unknown>, warn: (message: string) => void): Promise<DnsChoice> {
    return dnsFromFlags(values, warn);
  }

  async register(request: RegisterRequest): Promise<RegisterOutcome> {
    const result = await registerAccount(this.configDir, accountFlags(request.directoryUrl, { agreeTos: true, ...request }), this.#cmd.log, this.#cmd.fetch);
    // Fetched once per process: registration read it already.
    const dir = await getDirectory(createAcmeContext({ directoryUrl: request.directoryUrl, ...(this.#cmd.fetch ? { fetch: this.#cmd.fetch } : {}) }));
    const profiles = dir.meta?.profiles;
    return { accountUrl: result.url, created: result.created, directoryUrl: request.directoryUrl, ...(profiles ? { profiles } : {}) };
  }

  /**
   * Checks the account offline (exit 2 before any request), registers one when needed, writes the
   * lineage and runs one issuance. As certbot's certonly, a dry run or a failed first issuance
   * leaves no lineage behind.
   */
  async issue(request: IssueRequest, progress: IssueProgress = {}): Promise<IssueOutcome> {
    const { spec, force, dryRun, json } = request;
    const out = this.#cmd.out;
    const directoryUrl = dryRun ? (spec.ca.stagingDirectoryUrl ?? spec.ca.directoryUrl) : spec.ca.directoryUrl;
    const accountUrl = await hasAccount(this.configDir, directoryUrl);
    if (!accountUrl && !request.account.agreeTos) {
      throw new UsageError(`No account is registered with ${directoryUrl} yet. Add --agree-tos (and -m EMAIL) to register one, or run "acmeflow register" first.`);
    }
    const preset = presetForDirectoryUrl(spec.ca.directoryUrl);
    if (!accountUrl && preset?.externalAccountRequired && !request.account.eab) {
      throw new UsageError(`${preset.name} requires External Account Binding: add --eab-kid and --eab-hmac-key from the CA's portal.`);
    }
    const say = (text: string) => (json ? out.debug(text) : out.line(text));
    if (request.keyTypeDefaulted) say(`Key type: ${spec.keyType} (choose with --key-type rsa|ecdsa).`);

    // Network from here on; a required profile the CA does not list stops it before anything is written.
    await checkRequiredProfile(spec, directoryUrl, this.#cmd.fetch);
    if (!accountUrl) {
      const registered = await registerAccount(this.configDir, accountFlags(directoryUrl, request.account), this.#cmd.log, this.#cmd.fetch);
      if (registered.created) say('Account registered.');
    }

    const name = spec.name;
    const existing = await this.#store.getLineage(name);
    const notAfter = notYetDue(existing, spec, { force, dryRun });
    if (notAfter) return { status: 'NOT_DUE', lineage: name, notAfter };
    const created = !existing;
    // certbot's account for the lineage (its conf's `account`) stays with it while the CA does: a certonly
    // over a certbot lineage must not move it to another account.
    const kept = existing?.lineage.spec.ca;
    const written =
      kept?.certbotAccount !== undefined && kept.directoryUrl === spec.ca.directoryUrl ? { ...spec, ca: { ...spec.ca, certbotAccount: kept.certbotAccount } } : spec;
    await this.#store.putLineage({ spec: written, state: existing?.lineage.state ?? { currentVersion: 0 } }, { expectedEtag: existing?.etag ?? null });

    // The hooks are the lineage's own (written above), as a later renew finds them.
    const engine = (await loadEngineRunner()).makeEngine(this.#cmd, this.configDir, {
      ...(request.resolvers ? { resolvers: [...request.resolvers] } : {}),
      json,
    });
    say(`${dryRun ? 'Simulating a certificate request' : 'Requesting a certificate'} for ${spec.domains.join(', ')}`);
    let outcome: IssuanceOutcome | undefined;
    let notes: string[] = [];
    try {
      outcome = await engine.issue({ lineage: name, force, dryRun }, { onStored: (stored) => progress.stored?.(issueOutcome(stored)) });
    } finally {
      if (created && (dryRun || outcome?.status !== 'succeeded')) notes = await this.#removeUnissued(name, outcome?.error?.step);
      // Without an outcome (the engine threw) the note goes out before the error is reported.
      if (!outcome) for (const note of notes) out.error(note);
    }
    const result = { ...issueOutcome(outcome), ...(outcome?.hookFailures ? { hookFailures: outcome.hookFailures } : {}) };
    if (result.status === 'FAILED') return notes.length > 0 ? { ...result, notes } : result;
    for (const note of notes) out.error(note);
    return result;
  }

  /**
   * Removes a lineage this command created and could not issue — unless records were published (the
   * run got past PublishRecords) and its cleanup could not remove them: the in-flight marker naming
   * them lives in the lineage, and the next run for it (certonly again, or renew) removes them first.
   * Returns what to tell about a lineage kept for that reason.
   */
  async #removeUnissued(name: string, failedStep: string | undefined): Promise<string[]> {
    const after = await this.#store.getLineage(name);
    const published = failedStep === undefined || !NOTHING_PUBLISHED_YET.has(failedStep);
    if (after?.lineage.state.inflight && published) {
      return [
        `Kept the lineage ${name}: its challenge records could not all be removed (${after.lineage.state.inflight.records.map((r) => r.name).join(', ')}). ` +
          `The next "acmeflow certonly" or "acmeflow renew --cert-name ${name}" removes them first.`,
      ];
    }
    await this.#store.deleteLineage?.(name);
    return [];
  }

  async renew(request: RenewRequest): Promise<RenewOutcome> {
    const { names, dryRun } = request;
    for (const name of names) {
      if (!(await lineageNamed(this.#store, name))) throw new UsageError(`--cert-name ${name}: no such certificate in ${this.configDir}. See "acmeflow certificates".`);
    }
    const engine = (await loadEngineRunner()).makeEngine(this.#cmd, this.configDir, {
      ...(request.hooks.preHook ? { preHook: request.hooks.preHook } : {}),
      // A dry run deploys nothing, so its deploy hook has nothing to act on (certbot skips it too).
      ...(request.hooks.deployHook && !dryRun ? { deployHook: request.hooks.deployHook } : {}),
      ...(request.hooks.postHook ? { postHook: request.hooks.postHook } : {}),
      ...(request.resolvers ? { resolvers: [...request.resolvers] } : {}),
      ...(request.propagationTimeoutSeconds === undefined ? {} : { propagationTimeoutSeconds: request.propagationTimeoutSeconds }),
      json: request.json,
    });
    // certbot sleeps before the first renewal that is due, and not at all when none is.
    if (request.randomDelayMaxSeconds !== undefined && (await this.#anyDue(names, request.force || dryRun))) {
      const seconds = Math.random() * request.randomDelayMaxSeconds;
      this.#cmd.out.debug(`Non-interactive renewal: random delay of ${seconds.toFixed(1)} seconds`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
    // certbot's --dry-run simulates every lineage, due or not: a simulation that skipped the lineages
    // not due would not show that their next renewal can work.
    const outcome = await engine.sweep({ ...(names.length > 0 ? { lineages: [...names] } : {}), force: request.force || dryRun, dryRun });
    // certbot saves a renewal's flags into the conf of the lineage it renewed (never in a dry run).
    if (request.propagationTimeoutSeconds !== undefined && !dryRun) {
      const renewedNow = outcome.results.filter((r) => r.status === 'succeeded').map((r) => r.lineage);
      await savePropagationTimeout(this.#store, renewedNow, request.propagationTimeoutSeconds);
    }
    // A lineage that another run renewed meanwhile is said so, once, and not counted as renewed; one
    // whose run only cleaned up after an abandoned run was not due, and is listed as such.
    // So is one another run holds right now (a second `renew`, say), or whose account is at the CA's limit.
    const meanwhile = (r: (typeof outcome.results)[number]) =>
      r.status === 'skipped' && (r.skipReason === 'renewedMeanwhile' || r.skipReason === 'locked' || r.skipReason === 'onHold');
    const skipped = outcome.results.filter((r) => r.status === 'skipped');
    const skippedNames = new Set(skipped.map((r) => r.lineage));
    const attempted = new Set(outcome.results.filter((r) => r.status !== 'skipped' || meanwhile(r)).map((r) => r.lineage));
    const all = names.length > 0 ? names : (await this.#store.listLineages({ limit: 10_000 })).names;
    // The certificate a failed lineage still serves: its expiry is warned about when near.
    const stillServed = new Map<string, string>();
    for (const r of outcome.results) {
      if (r.status !== 'failed') continue;
      const notAfter = (await this.#store.getLineage(r.lineage).catch(() => undefined))?.lineage.state.current?.notAfter;
      if (notAfter) stillServed.set(r.lineage, notAfter);
    }
    const notDueNames = all.filter((n) => !attempted.has(n) && !outcome.unreadable.some((u) => u.lineage === n));
    const notDue = [];
    for (const name of notDueNames) {
      const notAfter = (await this.#store.getLineage(name).catch(() => undefined))?.lineage.state.current?.notAfter;
      notDue.push({ name, certificatePath: `${this.configDir}/live/${name}/fullchain.pem`, ...(notAfter ? { notAfter } : {}) });
    }
    return {
      status: 'SUCCEEDED',
      dryRun,
      attempted: outcome.attempted - skippedNames.size,
      renewed: outcome.renewed.filter((name) => !skippedNames.has(name)),
      failed: outcome.failed,
      skipped: outcome.skipped,
      results: outcome.results.flatMap((r): RenewResult[] => {
        if (r.status === 'succeeded') {
          return [
            {
              lineage: r.lineage,
              status: 'succeeded',
              ...(r.version === undefined ? {} : { version: r.version }),
              ...(r.notAfter ? { notAfter: r.notAfter } : {}),
              ...(r.ariExplanationURL ? { ariExplanationURL: r.ariExplanationURL } : {}),
            },
          ];
        }
        if (r.status === 'failed') {
          const notAfter = stillServed.get(r.lineage);
          return [{ lineage: r.lineage, status: 'failed', ...(r.error ? { error: r.error } : {}), ...(notAfter ? { notAfter } : {}) }];
        }
        if (!meanwhile(r)) return [];
        return [{ lineage: r.lineage, status: 'skipped', ...(r.skipReason === 'locked' || r.skipReason === 'onHold' ? { skipReason: r.skipReason } : {}) }];
      }),
      notDue,
      unreadable: outcome.unreadable,
      json: { ...outcome, notDue: notDueNames },
      ...(outcome.hookFailures ? { hookFailures: outcome.hookFailures } : {}),
    };
  }

  /** Whether the sweep will renew anything: the named lineages or all, forced or due by their own policy. */
  async #anyDue(names: readonly string[], force: boolean): Promise<boolean> {
    const all = names.length > 0 ? names : (await this.#store.listLineages({ limit: 10_000 })).names;
    if (force) return all.length > 0;
    for (const name of all) {
      const stored = await this.#store.getLineage(name).catch(() => undefined);
      if (stored && decideRenewal({ spec: stored.lineage.spec, state: stored.lineage.state, now: new Date(), random: Math.random }).due) return true;
    }
    return false;
  }

  async revoke(request: RevokeRequest): Promise<RevokeOutcome> {
    const { certificate } = request;
    if (!certificate === !request.lineage) throw new UsageError('Name the certificate with --cert-path PATH or --cert-name NAME (one of them).');
    let lineage = request.lineage;
    if (certificate) {
      lineage = await this.#lineageOfPath(certificate.path, certificate.pem);
      if (!lineage) throw new UsageError(`--cert-path ${certificate.path}: no lineage in ${this.configDir} holds this certificate.`);
    }
    const stored = await this.#store.getLineage(lineage as string).catch(() => undefined);
    if (!stored) throw new UsageError(`--cert-name ${lineage}: no such certificate in ${this.configDir}.`);
    if (request.server && request.server !== stored.lineage.spec.ca.directoryUrl) {
      throw new UsageError(`--server ${request.server}: ${lineage} was issued by ${stored.lineage.spec.ca.directoryUrl}.`);
    }
    const engine = (await loadEngineRunner()).makeEngine(this.#cmd, this.configDir, { json: request.json });
    const result = await engine.revoke({ lineage: lineage as string, reason: request.reason, ...(certificate ? { certificatePem: certificate.pem } : {}) });
    return {
      status: 'SUCCEEDED',
      lineage: result.lineage,
      location: certificate?.path ?? `${this.configDir}/live/${lineage}/cert.pem`,
      serialHex: result.serialHex,
      reason: result.reason,
      ...(result.hookFailures ? { hookFailures: result.hookFailures } : {}),
    };
  }

  /** The lineage a certificate file belongs to: by its place under live/ or archive/, else by serial. */
  async #lineageOfPath(path: string, pem: string): Promise<string | undefined> {
    const real = await realpath(path).catch(() => path);
    const rel = relative(await realpath(this.configDir).catch(() => this.configDir), real).split(sep);
    if ((rel[0] === 'archive' || rel[0] === 'live') && rel[1]) return rel[1];
    const serial = parseCertificate(pem).serialHex;
    for (const name of (await this.#store.listLineages({ limit: 10_000 })).names) {
      const lineage = await this.#store.getLineage(name).catch(() => undefined);
      if (lineage?.lineage.state.current?.serialHex === serial) return name;
    }
    return undefined;
  }

  async deleteLineage(name: string): Promise<void> {
    if (!(await lineageNamed(this.#store, name))) throw new UsageError(`--cert-name ${name}: no such certificate in ${this.configDir}. See "acmeflow certificates".`);
    await this.#store.deleteLineage(name);
  }

  /** New renewal settings, written through the store's round-trip check (a conf certbot wrote keeps certbot's keys). */
  async reconfigure(request: ReconfigureRequest): Promise<void> {
    if (request.dns) {
      // The plugin first, in the conf as it is: a lineage certbot made for webroot or apache cannot be read before.
      const { provider, config } = request.dns;
      const manual = provider === 'manual';
      await this.#store
        .setRenewalParams(request.name, {
          authenticator: manual ? 'manual' : `dns-${provider}`,
          ...(manual ? { pref_challs: ['dns-01'], manual_auth_hook: String(config.authHook) } : {}),
        })
        .catch((err: unknown) => {
          if (err instanceof RenewalConfError && !existsSync(this.#store.layout.renewalConf(request.name))) return;
          throw err;
        });
    }
    const stored = await this.#store.getLineage(request.name);
    if (!stored) throw new UsageError(`--cert-name ${request.name}: no such certificate in ${this.configDir}. See "acmeflow certificates".`);
    const { spec, state } = stored.lineage;
    if (request.credentials && request.credentials.provider !== spec.dns.provider) {
      const { provider } = request.credentials;
      throw new UsageError(`--dns-${provider}-credentials: the lineage ${request.name} validates with dns-${spec.dns.provider}; add --dns-${provider} to move it to ${provider}.`);
    }
    const hooks = { ...spec.hooks, ...request.hooks };
    const next = {
      ...spec,
      ...(request.dns
        ? { dns: { ...spec.dns, provider: request.dns.provider, config: request.dns.config, ...(request.dns.credentialsRef ? { credentialsRef: request.dns.credentialsRef } : { credentialsRef: undefined }) } }
        : {}),
      ...(request.credentials ? { dns: { ...spec.dns, credentialsRef: request.credentials.credentialsRef } } : {}),
      ...(request.reuseKey === undefined ? {} : { reuseKey: request.reuseKey }),
      ...(Object.keys(hooks).length > 0 ? { hooks } : {}),
    };
    if (next.dns.credentialsRef === undefined) delete (next.dns as { credentialsRef?: string }).credentialsRef;
    await this.#store.putLineage({ spec: next, state }, { expectedEtag: stored.etag });
  }

  async lineageDomains(name: string): Promise<readonly string[] | undefined> {
    // A certbot-made lineage reads its names from live/, as certbot does.
    return (await this.#store.getLineage(name))?.lineage.spec.domains;
  }

  async account(request: AccountRequest): Promise<AccountOutcome> {
    const { accountAction } = await import('../account-actions.js');
    return accountAction(this.configDir, request, this.#cmd.fetch);
  }

  async listCertificates(request: ListCertificatesRequest): Promise<CertificateListing> {
    const { configDir } = this;
    const rows = await certificateRows({
      store: this.#store,
      names: request.name ? [request.name] : (await this.#store.listLineages({ limit: 10_000 })).names,
      certificatePath: (name) => `${configDir}/live/${name}/fullchain.pem`,
      privateKeyPath: (name) => `${configDir}/live/${name}/privkey.pem`,
      concurrency: 1,
      // The endpoints in the renewal confs are asked from here, over TLS with their SNI names.
      probe: (endpoint) => import('../../shared/probe/fetch-served-certificate.js').then(({ fetchServedCertificate }) => fetchServedCertificate(endpoint)),
    });
    return { where: { configDir }, place: configDir, rows };
  }
}

/** What registerAccount reads: the EAB as `eabFromFlags` parsed it, once, at the edge. */
function accountFlags(directoryUrl: string, account: IssueRequest['account']): AccountFlags {
  return { directoryUrl, email: account.email, agreeTos: account.agreeTos, eab: account.eab };
}

/** The engine's issuance outcome as the verbs print it. */
function issueOutcome(outcome: IssuanceOutcome | undefined): IssueOutcome {
  // Only reached when engine.issue returned.
  if (!outcome) throw new Error('The issuance ended without an outcome.');
  const { lineage, dryRun } = outcome;
  if (outcome.status === 'skipped') return { status: 'SKIPPED', lineage };
  if (outcome.status === 'failed') {
    return { status: 'FAILED', lineage, dryRun, ...(outcome.error ? { error: outcome.error } : {}) };
  }
  return {
    status: 'SUCCEEDED',
    lineage,
    dryRun,
    ...(outcome.version === undefined ? {} : { version: outcome.version }),
    ...(outcome.serialHex ? { serialHex: outcome.serialHex } : {}),
    ...(outcome.notAfter ? { notAfter: outcome.notAfter } : {}),
    ...(outcome.paths
      ? { saved: { certificate: outcome.paths.fullchain, key: outcome.paths.privkey, json: { certificatePath: outcome.paths.fullchain, privateKeyPath: outcome.paths.privkey } } }
      : {}),
  };
}

/** The engine (the state machine runner, the step handlers) loads only for the verbs that run it: `certificates` and `register` do not. */
function loadEngineRunner(): Promise<typeof import('../engine-runner.js')> {
  return import('../engine-runner.js');
}
