import { downloadCertificate } from '../acme/certificate.js';
import { ariCertificateId } from '../crypto/ari-certificate-id.js';
import { keyMatchesCertificate } from '../crypto/key-matches-certificate.js';
import { parseCertificate } from '../crypto/parse-certificate.js';
import { VersionConflictError, type CertificateVersion, type LineageState } from '../store/index.js';
import { loadAccount } from './account.js';
import type { WorkflowDeps } from './deps.js';
import { CertificateMismatchError } from './errors.js';
import { requireLineage } from './require-lineage.js';
import type { IssuanceState } from './state.js';

/**
 * Step 8: download the certificate (the preferred chain if asked), check it against the pending
 * key and the lineage's names, and store it: the archive version first (write-once, complete
 * before visible), then the key promoted for that version (Secrets Manager: made current with its
 * chain; filesystem: `archive/<name>/privkey<N>.pem` only), then `live/` switched (filesystem: key
 * and certificate links together, see `CertificateStore.promoteVersion`), then the lineage state.
 * Until that switch, `live/` serves the previous version. Re-running after
 * a crash converges on the same version number (found by serial). A dry run stores nothing and
 * drops the pending key.
 */
export async function storeCertificate(state: IssuanceState, deps: WorkflowDeps): Promise<IssuanceState> {
  if (state.skipped) return state;
  if (!state.order.certificate) throw new CertificateMismatchError(`The order ${state.order.url} has no certificate URL yet; poll the order first.`);
  const lineage = await requireLineage(state.lineage, deps);
  const { spec } = lineage;
  const ctx = deps.acme(state.directoryUrl);
  const account = await loadAccount(deps, state.accountId, state.accountUrl);
  const downloaded = await downloadCertificate(ctx, account, state.order.certificate, {
    ...(spec.ca.preferredChain ? { preferredChain: spec.ca.preferredChain } : {}),
  });
  if (spec.ca.preferredChain && !downloaded.preferredMatched) {
    deps.log.warn('The preferred chain was not offered; using the default chain.', { lineage: state.lineage, preferredChain: spec.ca.preferredChain });
  }
  const chain = downloaded.selected;
  if (chain.chainPem.trim() === '') {
    // RFC 8555 §7.4.2: the CA sends the chain with the certificate. Without it, chain.pem is empty and
    // fullchain.pem holds the leaf alone: clients that lack the intermediate will not trust the server.
    deps.log.warn('The CA sent the certificate without its chain: chain.pem is empty and fullchain.pem holds only the certificate. Servers that need the intermediate certificate will fail TLS for some clients; ask the CA for its chain.', {
      lineage: state.lineage,
    });
  }
  const info = parseCertificate(chain.certificatePem);
  const asked = [...spec.domains].sort();
  const got = [...info.domains].sort();
  if (asked.length !== got.length || asked.some((d, i) => d !== got[i])) {
    throw new CertificateMismatchError(`The certificate names [${got.join(', ')}] differ from the lineage's [${asked.join(', ')}]; it is not stored.`);
  }
  const privateKeyPem = await deps.keys.getPendingCertificateKey(state.lineage, state.keyToken);
  // No pending key: a retry of this step after the key was promoted. The promoted key matching the
  // certificate (checked below) proves it, whether or not live/ or the lineage state moved before the
  // retry: the current key once live/ switched, else the key promoted for this certificate's version.
  const alreadyPromoted = !privateKeyPem;
  const keyPem = privateKeyPem ?? (await promotedKey(deps, state.lineage, chain.certificatePem, info.serialHex));
  if (!keyPem || !(await keyMatchesCertificate(keyPem, chain.certificatePem))) {
    throw new CertificateMismatchError(`The certificate ${info.serialHex} does not match the key generated for this order; it is not stored.`);
  }
  const where = deps.locate(state.lineage, spec);
  const summary = {
    serialHex: info.serialHex,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    domains: [...info.domains],
  };
  if (state.dryRun) {
    await deps.keys.discardPendingCertificateKey(state.lineage, state.keyToken);
    deps.log.info('Dry run: the certificate was issued and checked, and not stored.', { lineage: state.lineage, serialHex: info.serialHex });
    return { ...state, result: { version: 0, ...summary, location: where.location, keyLocation: where.keyLocation } };
  }

  const now = deps.now().toISOString();
  const ariId = safeAriId(chain.certificatePem);
  const version = await writeVersion(deps, {
    lineage: state.lineage,
    certPem: chain.certificatePem,
    chainPem: chain.chainPem,
    fullchainPem: chain.fullchainPem,
    meta: {
      ...summary,
      orderUrl: state.order.url,
      issuedAt: now,
      keyType: info.keyType ?? spec.keyType,
      ...(info.issuerCommonName ? { issuerCommonName: info.issuerCommonName } : {}),
      ...(ariId ? { ariCertificateId: ariId } : {}),
    },
  });
  if (!alreadyPromoted) await deps.keys.promoteCertificateKey(state.lineage, state.keyToken, version, chain.fullchainPem);
  await deps.store.promoteVersion(state.lineage, version);

  const stored = await deps.store.getLineage(state.lineage);
  const previous = stored?.lineage.state ?? lineage.state;
  const next: LineageState = {
    currentVersion: version,
    current: {
      ...summary,
      ...(info.issuerCommonName ? { issuerCommonName: info.issuerCommonName } : {}),
      ...(ariId ? { ariCertificateId: ariId } : {}),
      keyType: info.keyType ?? spec.keyType,
    },
    accountUrl: state.accountUrl,
    issuedAt: now,
    // Cleanup, the next step, still has to remove the records; it clears this marker.
    ...(previous.inflight ? { inflight: previous.inflight } : {}),
    // The outbox, in the write that makes the version current: nothing stored goes unannounced. A
    // retry of this step keeps what was announced already.
    announced:
      previous.announced?.version === version
        ? previous.announced
        : { version, issued: false, deployable: false, deployableAt: new Date(deps.now().getTime() + spec.deployDelaySeconds * 1000).toISOString() },
  };
  let deployments = { ...(previous.deployments ?? {}) };
  for (const target of deps.targets ?? []) {
    // Idempotent like the rest of the step: a retry re-imports under the same ARN.
    const facts = await target.deploy({
      lineage: state.lineage,
      version,
      certPem: chain.certificatePem,
      chainPem: chain.chainPem,
      privateKeyPem: keyPem,
      ...(deployments[target.name] ? { previous: { ...deployments[target.name] } } : {}),
    });
    deployments = { ...deployments, [target.name]: facts };
  }
  await deps.store.putLineage(
    { spec: stored?.lineage.spec ?? spec, state: { ...next, ...(Object.keys(deployments).length > 0 ? { deployments } : {}) } },
    stored ? { expectedEtag: stored.etag } : {},
  );
  deps.log.info('Successfully received certificate.', { lineage: state.lineage, version, serialHex: info.serialHex, notAfter: info.notAfter });
  return { ...state, result: { version, ...summary, location: where.location, keyLocation: where.keyLocation } };
}

function safeAriId(certPem: string): string | undefined {
  try {
    return ariCertificateId(certPem);
  } catch {
    // A certificate without an Authority Key Identifier cannot be named for ARI; renew by expiry.
    return undefined;
  }
}

/** The key already promoted for this certificate: the served one, or the one of the version holding this serial. */
async function promotedKey(deps: WorkflowDeps, lineage: string, certPem: string, serialHex: string): Promise<string | undefined> {
  const current = await deps.keys.getCurrentCertificateKey(lineage);
  if (current && (await keyMatchesCertificate(current, certPem))) return current;
  const version = await versionWithSerial(deps, lineage, serialHex);
  const ofVersion = version === undefined ? undefined : await deps.keys.getCertificateKey?.(lineage, version);
  return ofVersion ?? current;
}

/** The archive version holding `serialHex` among the last two (a rerun finds its own there), if any. */
async function versionWithSerial(deps: WorkflowDeps, lineage: string, serialHex: string): Promise<number | undefined> {
  const latest = await deps.store.latestVersion(lineage);
  for (let v = Math.max(1, latest - 1); v <= latest; v++) {
    if ((await deps.store.getVersion(lineage, v))?.meta.serialHex === serialHex) return v;
  }
  return undefined;
}

/**
 * Writes the archive version for this certificate: the number of an existing version with the same
 * serial (a rerun), else the next free one. A version number taken by another certificate (an
 * abandoned run's half-written files) is skipped.
 */
async function writeVersion(deps: WorkflowDeps, files: Omit<CertificateVersion, 'version'>): Promise<number> {
  const rerun = await versionWithSerial(deps, files.lineage, files.meta.serialHex);
  if (rerun !== undefined) return rerun;
  const latest = await deps.store.latestVersion(files.lineage);
  const latestComplete = latest > 0 ? await deps.store.getVersion(files.lineage, latest) : undefined;
  let version = latest === 0 ? 1 : latestComplete ? latest + 1 : latest;
  for (let tries = 0; ; tries++) {
    try {
      await deps.store.putVersion({ ...files, version });
      return version;
    } catch (err) {
      if (!(err instanceof VersionConflictError) || tries >= 3) throw err;
      version++;
    }
  }
}
