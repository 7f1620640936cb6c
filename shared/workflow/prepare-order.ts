import { createHash } from 'node:crypto';
import type { Account } from '../acme/account.js';
import { findChallenge, getAuthorization } from '../acme/authorization.js';
import type { AcmeContext } from '../acme/context.js';
import { AcmeHttpError, AcmeProblemError, AcmeRateLimitedError } from '../acme/errors.js';
import { rateLimitScope } from '../acme/rate-limit-scope.js';
import { keyAuthorization } from '../acme/jws.js';
import { newOrder, type NewOrderResult } from '../acme/order.js';
import { keyMatchesCertificate } from '../crypto/key-matches-certificate.js';
import { challengeRecord, groupRecords, type ChallengeRecord } from '../dns/challenge-record.js';
import { delegateRecords } from '../dns/delegation.js';
import { nodeResolver } from '../dns/node-resolver.js';
import type { LineageSpec } from '../config/index.js';
import { newOrderLimitFor, type NewOrderLimit } from '../config/ca-presets.js';
import { knownAuthorizationSeconds, profileOf } from '../config/preset-profile.js';
import { KeyNotFoundError, LineageLockedError, LineageNotFoundError, type InflightIssuance, type LockHandle } from '../store/index.js';
import { ensureAccount } from './account.js';
import { DEFAULT_LIMITS, type WorkflowDeps, type WorkflowLimits } from './deps.js';
import { AcmeOrderInvalidError, OrderSlotsBusyError } from './errors.js';
import { issuanceInputSchema, type AuthorizationState, type IssuanceInput, type IssuanceState } from './state.js';

/** TTL of challenge records: short, they live for minutes (RFC 8555 §8.4 sets none). */
const CHALLENGE_TTL = 60;

/** Names the pending certificate key after the order, so a retried finalize finds the same key. */
export function keyTokenFor(orderUrl: string): string {
  return createHash('sha256').update(orderUrl).digest('hex').slice(0, 32);
}

/**
 * Step 1 of an issuance: lock the lineage, load or register the account, create the order
 * (with RFC 9773 `replaces` on renewal, retried once without it when the CA refuses it), read its
 * authorizations (valid ones are reused and need no record) and compute the TXT records to publish,
 * following CNAME delegations.
 *
 * Check, lock, check again: with `expectedVersion` from the sweep's plan, a lineage
 * that another run renewed meanwhile, or holds right now, is skipped. A planned item first takes one
 * of the issuer's order slots (`deps.orderSlots`), kept in the state until CleanupRecords; with none
 * free it throws `OrderSlotsBusyError`, which the state machine retries.
 */
export async function prepareOrder(rawInput: IssuanceInput, deps: WorkflowDeps, limits: WorkflowLimits = DEFAULT_LIMITS): Promise<IssuanceState> {
  const input = issuanceInputSchema.parse(rawInput);
  const first = await deps.store.getLineage(input.lineage);
  if (!first) throw new LineageNotFoundError(input.lineage);
  // A sweep's item (planned against a version) takes one of the issuer's order slots before it
  // locks: the cap holds across every sweep that runs at once. None free: the state machine retries.
  const planned = input.expectedVersion !== undefined && !input.dryRun && !input.cleanupOnly;
  const slot = planned && deps.orderSlots ? await deps.orderSlots.acquire({ owner: input.owner, leaseSeconds: limits.lockLeaseSeconds }) : undefined;
  if (planned && deps.orderSlots && !slot) throw new OrderSlotsBusyError(deps.orderSlots.capacity);
  const releaseSlot = async () => {
    if (slot) await deps.orderSlots?.release(slot).catch(() => undefined);
  };
  let lock: LockHandle | undefined;
  if (!input.dryRun) {
    try {
      lock = await deps.lock.acquire(input.lineage, { owner: input.owner, leaseSeconds: limits.lockLeaseSeconds });
    } catch (err) {
      await releaseSlot();
      // A cleanup-only run finding the lock held: the run holding it is alive and cleans up after itself.
      // A sweep's item finding it held: another run (a sweep that met this one, a command) is renewing
      // the lineage now, which is what the plan wanted; skipped, not a failure (no event, no backoff).
      if (!((input.cleanupOnly || input.expectedVersion !== undefined) && err instanceof LineageLockedError)) throw err;
      const skipped = {
        lineage: input.lineage,
        dryRun: input.dryRun,
        force: input.force,
        renewal: first.lineage.state.currentVersion > 0,
        directoryUrl: first.lineage.spec.ca.directoryUrl,
        startedAt: deps.now().toISOString(),
      };
      if (input.cleanupOnly) {
        deps.log.info('Another run holds the lineage; it removes its own records. Nothing to clean up.', { lineage: input.lineage });
        return skippedState(skipped, 'cleanupOnly');
      }
      deps.log.info('Another run holds the lineage and is renewing it; skipping.', { lineage: input.lineage, holder: err.holder, until: err.expiresAt });
      return skippedState(skipped, 'locked');
    }
  }
  try {
    const stored = lock ? await deps.store.getLineage(input.lineage) : first;
    if (!stored) throw new LineageNotFoundError(input.lineage);
    const { spec, state } = stored.lineage;
    const directoryUrl = input.dryRun ? (spec.ca.stagingDirectoryUrl ?? spec.ca.directoryUrl) : spec.ca.directoryUrl;
    const base = {
      lineage: input.lineage,
      dryRun: input.dryRun,
      force: input.force,
      renewal: state.currentVersion > 0,
      directoryUrl,
      startedAt: deps.now().toISOString(),
      ...(input.ariExplanationURL ? { ariExplanationURL: input.ariExplanationURL } : {}),
      ...(lock ? { lock: { lineage: lock.lineage, owner: lock.owner, expiresAt: lock.expiresAt, token: lock.token } } : {}),
    };
    const held = slot ? { orderSlot: { slot: slot.slot, owner: slot.owner, expiresAt: slot.expiresAt, token: slot.token } } : {};
    if (input.expectedVersion !== undefined && state.currentVersion !== input.expectedVersion) {
      deps.log.info('Lineage changed since it was planned; another run renewed it. Skipping.', {
        lineage: input.lineage,
        expectedVersion: input.expectedVersion,
        currentVersion: state.currentVersion,
      });
      if (lock) await deps.lock.release(lock);
      await releaseSlot();
      const { lock: _released, ...rest } = base;
      return skippedState(rest, 'renewedMeanwhile');
    }

    if (lock && state.inflight && state.inflight.owner !== input.owner) await recoverAbandonedRun(input.lineage, state.inflight, spec.dns, deps);
    if (input.cleanupOnly) {
      // Planned only to finish an abandoned run (the lineage is not due): done, no order.
      deps.log.info('Cleaned up after an abandoned run; the lineage is not due.', { lineage: input.lineage });
      if (lock) await deps.lock.release(lock);
      await releaseSlot();
      const { lock: _released, ...rest } = base;
      return skippedState(rest, 'cleanupOnly');
    }

    const ctx = deps.acme(directoryUrl);
    const account = await ensureAccount(ctx, deps, {
      directoryUrl,
      contact: spec.ca.contact,
      ...(spec.ca.eabRef ? { eabRef: spec.ca.eabRef } : {}),
      accountKeyType: spec.ca.accountKeyType,
      // certbot's account is the CA's own; a dry run at the staging CA uses that CA's account.
      ...(spec.ca.certbotAccount !== undefined && directoryUrl === spec.ca.directoryUrl ? { certbotAccount: spec.ca.certbotAccount } : {}),
      termsOfServiceAgreed: spec.ca.termsOfServiceAgreed,
      // Concurrent first issuances at one CA (a sweep over new lineages) register one account, not one each.
      registrationLock: { lock: deps.lock, owner: input.owner },
    });
    const replaces = !input.dryRun && state.currentVersion > 0 && !state.revoked ? state.current?.ariCertificateId : undefined;
    const budget = await takeNewOrder(input, deps, account.url, newOrderLimitFor(directoryUrl, spec.ca.newOrderLimit), replaces);
    if (budget) {
      deps.log.info('The account may not place another order yet; skipping until the next sweep.', { lineage: input.lineage, reason: budget.reason, retryAt: budget.retryAt });
      if (lock) await deps.lock.release(lock);
      await releaseSlot();
      const { lock: _released, ...rest } = base;
      return { ...skippedState(rest, 'onHold'), retryAt: budget.retryAt };
    }
    const profile = profileOf(spec);
    let created: Awaited<ReturnType<typeof createOrder>>;
    try {
      created = await createOrder(ctx, account, spec.domains, profile, replaces);
    } catch (err) {
      // The CA's limit on the account's orders reached: the account waits until its Retry-After, so
      // the sweep's other items skip quietly instead of each failing the same way; this lineage records
      // the one failure. A limit on this order's names (per domain, per name set) holds only this
      // lineage, through its failure backoff (rateLimitScope).
      if (err instanceof AcmeRateLimitedError && !input.dryRun && rateLimitScope(err.problem) === 'account') {
        const until = new Date(deps.now().getTime() + (err.retryAfterSeconds ?? RATE_LIMIT_HOLD_SECONDS) * 1000);
        await deps.orderBudget?.hold(account.url, until).catch(() => undefined);
      }
      throw err;
    }
    if (profile && created.omitted.includes('profile')) {
      // draft-ietf-acme-profiles §3: a preferred profile the CA does not list falls back to its default.
      deps.log.warn(profileFallbackNote(profile.name, created.offeredProfiles ?? []), { lineage: input.lineage, profile: profile.name });
    }
    if (created.replacesRefused) {
      deps.log.warn('The CA refused the order with "replaces"; ordered without it.', { lineage: input.lineage, replaces, reason: created.replacesRefused });
    }
    const order = created.order;
    if (order.status === 'invalid') throw new AcmeOrderInvalidError(order.url, order.error);

    const authorizations: AuthorizationState[] = [];
    const challengeRecords: ChallengeRecord[] = [];
    // The order was just created: a profile known to give one hour counts from now.
    const knownWindow = knownAuthorizationSeconds(spec);
    const deadlines: number[] = knownWindow === undefined ? [] : [deps.now().getTime() + knownWindow * 1000];
    for (const url of order.authorizations) {
      const authz = (await getAuthorization(ctx, account, url)).resource;
      const identifier = authz.wildcard ? `*.${authz.identifier.value}` : authz.identifier.value;
      if (authz.status === 'valid') {
        authorizations.push({ url, identifier, status: 'valid' });
        continue;
      }
      if (authz.status !== 'pending') throw new AcmeOrderInvalidError(order.url, order.error);
      const expires = authz.expires === undefined ? Number.NaN : Date.parse(authz.expires);
      if (Number.isFinite(expires)) deadlines.push(expires);
      const challenge = findChallenge(authz, 'dns-01');
      const record = challengeRecord(identifier, await keyAuthorization(challenge.token ?? '', account.key));
      challengeRecords.push(record);
      authorizations.push({ url, identifier, status: authz.status, challengeUrl: challenge.url, recordName: record.name, value: record.value });
    }
    const overrides = Object.fromEntries(Object.entries(spec.dns.delegations).map(([domain, target]) => [domain, { delegateTo: target }]));
    // CNAMEs are looked up where the propagation check looks (the lineage's resolvers), not through
    // the system's resolver, which may not see a private or lab zone at all.
    const resolver = deps.cnameResolver ?? (spec.dns.resolvers.length > 0 ? nodeResolver({ servers: spec.dns.resolvers }) : undefined);
    const delegated = await delegateRecords(challengeRecords, { overrides, ...(resolver ? { resolver } : {}) });
    const effectiveByName = new Map(delegated.map((r) => [r.name, r.effectiveName]));
    const chainByName = new Map(delegated.filter((r) => r.chain.length > 0).map((r) => [r.name, [...r.chain]]));
    const records = groupRecords(delegated, { ttl: CHALLENGE_TTL }).map((r) => ({ ...r, values: [...r.values] }));
    const keyToken = keyTokenFor(order.url);
    if (lock) {
      // Written before anything is published, so a crashed run's records can always be found again.
      const current = await deps.store.getLineage(input.lineage);
      if (current) {
        const inflight = { owner: input.owner, orderUrl: order.url, keyToken, records, startedAt: base.startedAt };
        await deps.store.putLineage({ spec: current.lineage.spec, state: { ...current.lineage.state, inflight } }, { expectedEtag: current.etag });
      }
    }
    return {
      ...base,
      ...held,
      skipped: false,
      accountId: account.id,
      accountUrl: account.url,
      order: { url: order.url, finalize: order.finalize, status: order.status, ...(order.certificate ? { certificate: order.certificate } : {}) },
      authorizations: authorizations.map((a) => {
        if (!a.recordName) return a;
        const chain = chainByName.get(a.recordName);
        return { ...a, effectiveName: effectiveByName.get(a.recordName) ?? a.recordName, ...(chain ? { cnameChain: chain } : {}) };
      }),
      records,
      changes: [],
      keyToken,
      ...(challengeRecords.length > 0 && deadlines.length > 0 ? { authorizationDeadline: new Date(Math.min(...deadlines)).toISOString() } : {}),
      ...(created.sentReplaces ? { replaces: created.sentReplaces } : {}),
      ...(created.replacesRefused ? { replacesRefused: created.replacesRefused } : {}),
    };
  } catch (err) {
    // The failure path of the state machine starts from this step's input, which holds no lock.
    if (lock) await deps.lock.release(lock).catch(() => undefined);
    await releaseSlot();
    throw err;
  }
}

/** How long an account waits after `rateLimited` without a Retry-After (RFC 8555 §6.6 leaves it to the client). */
const RATE_LIMIT_HOLD_SECONDS = 3600;

/**
 * Takes one new order from the account's budget (`limit`: the account's own, else the CA preset's; across every sweep) for a
 * sweep's item; undefined when it may order, else why not and until when. An order that replaces a
 * certificate through ARI is not counted where the CA exempts it (Let's Encrypt), but still waits out
 * a hold. A direct run (a command, no plan) is not held back: the CA's answer is shown to its user.
 */
async function takeNewOrder(
  input: { readonly expectedVersion?: number | undefined; readonly dryRun: boolean },
  deps: WorkflowDeps,
  account: string,
  limit: NewOrderLimit | undefined,
  replaces: string | undefined,
): Promise<{ reason: 'limit' | 'hold'; retryAt: string } | undefined> {
  if (!deps.orderBudget || input.expectedVersion === undefined || input.dryRun) return undefined;
  // No known limit: only a hold (the CA's own rateLimited answer) stops it.
  const exempt = limit === undefined || (replaces !== undefined && limit.ariRenewalsExempt);
  const answer = await deps.orderBudget.take(account, exempt ? undefined : limit);
  return answer.granted ? undefined : { reason: answer.reason, retryAt: answer.retryAt };
}

/**
 * The note a preferred profile's fallback leaves: which profile, and what the CA offers instead.
 *
 * @example
 * profileFallbackNote('tlsserver', ['classic']) // 'The CA does not offer the preferred profile "tlsserver" (it offers: classic); ordered with its default profile.'
 */
export function profileFallbackNote(profile: string, offered: readonly string[]): string {
  const listed = offered.length > 0 ? `it offers: ${offered.join(', ')}` : 'it lists no profiles';
  return `The CA does not offer the preferred profile "${profile}" (${listed}); ordered with its default profile.`;
}

/** The state of an issuance that ends at PrepareOrder without an order (the Choice after it goes to `Skipped`). */
function skippedState(base: Pick<IssuanceState, 'lineage' | 'dryRun' | 'force' | 'renewal' | 'directoryUrl' | 'startedAt'>, skipReason: NonNullable<IssuanceState['skipReason']>): IssuanceState {
  return {
    ...base,
    skipped: true,
    skipReason,
    accountId: '',
    accountUrl: '',
    order: { url: '', finalize: '', status: 'skipped' },
    authorizations: [],
    records: [],
    changes: [],
    keyToken: '',
  };
}

/**
 * Another run held this lineage, crashed, and its lease ran out: remove the TXT values it may have
 * published and the pending key it may have stored, then forget it. Deleting values that were
 * never published is harmless (deleteTxt treats "already gone" as success). A run that died inside
 * StoreCertificate, its certificate already archived, is finished first ({@link finishStoredVersion}),
 * so no stored certificate is left without its key and `live/` never stays half switched.
 *
 * @example
 * ```ts
 * const { inflight } = (await deps.store.getLineage('example.com'))!.lineage.state;
 * if (inflight) await recoverAbandonedRun('example.com', inflight, spec.dns, deps);
 * ```
 */
export async function recoverAbandonedRun(lineage: string, inflight: InflightIssuance, dns: LineageSpec['dns'], deps: WorkflowDeps): Promise<void> {
  deps.log.warn('Cleaning up after an earlier run that did not finish.', { lineage, owner: inflight.owner, orderUrl: inflight.orderUrl });
  const provider = await deps.dnsProvider(dns);
  for (const record of inflight.records) await provider.deleteTxt({ name: record.name, values: [...record.values] });
  await finishStoredVersion(lineage, inflight, deps);
  await deps.keys.discardPendingCertificateKey(lineage, inflight.keyToken);
  const current = await deps.store.getLineage(lineage);
  if (current?.lineage.state.inflight?.orderUrl === inflight.orderUrl) {
    const { inflight: _gone, ...state } = current.lineage.state;
    await deps.store.putLineage({ spec: current.lineage.spec, state }, { expectedEtag: current.etag });
  }
}

/**
 * What StoreCertificate does after the archive version is written, for an abandoned run that died
 * in between: its key promoted into that version, `live/` switched to it, the lineage's current
 * version set — only when the newest archived version is that run's order's certificate and its
 * key is the one the run generated (still pending) or already promoted. Otherwise nothing.
 */
async function finishStoredVersion(lineage: string, inflight: InflightIssuance, deps: WorkflowDeps): Promise<void> {
  const latest = await deps.store.latestVersion(lineage);
  const stored = latest > 0 ? await deps.store.getVersion(lineage, latest) : undefined;
  if (!stored || stored.meta.orderUrl !== inflight.orderUrl) return;
  const pending = await deps.keys.getPendingCertificateKey(lineage, inflight.keyToken);
  if (pending !== undefined && !(await keyMatchesCertificate(pending, stored.certPem))) return;
  try {
    // With the key no longer pending, this finds it promoted already (or throws: then there is nothing to finish).
    await deps.keys.promoteCertificateKey(lineage, inflight.keyToken, latest, stored.fullchainPem);
  } catch (err) {
    if (err instanceof KeyNotFoundError) return;
    throw err;
  }
  await deps.store.promoteVersion(lineage, latest);
  const current = await deps.store.getLineage(lineage);
  if (current && current.lineage.state.currentVersion < latest) {
    const { meta } = stored;
    const summary = {
      serialHex: meta.serialHex,
      notBefore: meta.notBefore,
      notAfter: meta.notAfter,
      domains: [...meta.domains],
      keyType: meta.keyType,
      ...(meta.issuerCommonName ? { issuerCommonName: meta.issuerCommonName } : {}),
      ...(meta.ariCertificateId ? { ariCertificateId: meta.ariCertificateId } : {}),
    };
    const { failures: _cleared, ari: _stale, revoked: _old, ...state } = current.lineage.state;
    await deps.store.putLineage({ spec: current.lineage.spec, state: { ...state, currentVersion: latest, current: summary, issuedAt: meta.issuedAt } }, { expectedEtag: current.etag });
  }
  deps.log.warn('Finished storing the certificate of an earlier run that stopped while storing it.', { lineage, version: latest, serialHex: stored.meta.serialHex });
}

async function createOrder(
  ctx: AcmeContext,
  account: Account,
  domains: readonly string[],
  profile: { readonly name: string; readonly required: boolean } | undefined,
  replaces: string | undefined,
): Promise<NewOrderResult & { sentReplaces?: string; replacesRefused?: string }> {
  const request = { domains, ...(profile ? { profile: profile.name, profileRequired: profile.required } : {}) };
  // newOrder sends `replaces` only when the directory has `renewalInfo` (RFC 9773 §5).
  if (!replaces) return newOrder(ctx, account, request);
  try {
    const result = await newOrder(ctx, account, { ...request, replaces });
    return result.omitted.includes('replaces') ? result : { ...result, sentReplaces: replaces };
  } catch (err) {
    const refused = replacesRefusal(err);
    if (refused === undefined) throw err;
    return { ...(await newOrder(ctx, account, request)), replacesRefused: refused };
  }
}

/**
 * Why a new order with `replaces` was refused, when ordering once more without it may succeed; else
 * undefined. CAs refuse a `replaces` they will not honour in many ways: `alreadyReplaced` (RFC 9773
 * §5), `malformed` when the replaced certificate belongs to another account (after the account was
 * recreated, the lineages kept), 401 or 400 answers, or the field refused outright. A rate limit is
 * the exception: it holds for the order without `replaces` just the same. Network failures and 5xx
 * pages are no refusal; the state machine retries those.
 */
function replacesRefusal(err: unknown): string | undefined {
  if (err instanceof AcmeRateLimitedError) return undefined;
  if (err instanceof AcmeProblemError) return err.message;
  if (err instanceof AcmeHttpError && err.status >= 400 && err.status < 500 && err.status !== 429) return err.message;
  return undefined;
}
