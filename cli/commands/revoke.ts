import { readFile, realpath } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { REVOCATION_REASONS, type RevocationReason } from '../../shared/acme/index.js';
import { parseCertificate } from '../../shared/crypto/index.js';
import { FilesystemCertificateStore } from '../../shared/store/filesystem/index.js';
import { parseVerbArgs } from '../args.js';
import type { CloudCommandContext } from '../cloud/cloud-context.js';
import { CLOUD_HELP, CLOUD_OPTIONS, cloudTargetFromFlags, LOCAL_ONLY_FIXES, refuseLocalFlags } from '../cloud/cloud-flags.js';
import { configDirFrom } from '../config-dir.js';
import { makeEngine } from '../engine-runner.js';
import { UsageError } from '../usage-error.js';

export const REVOKE_HELP = `Usage: acmeflow revoke (--cert-path PATH | --cert-name NAME) [--reason REASON] [--server URL]

Revokes a certificate (RFC 8555 §7.6) with the account key, or its own key when the account may not.
Reasons: unspecified, keycompromise, affiliationchanged, superseded, cessationofoperation.

${CLOUD_HELP}
  With --stack the stack's revocation is started for --cert-name NAME (a lineage in its bucket), or for
  the certificate file --cert-path PATH (read here and sent to the stack; its lineage found by path or serial).
`;

const OPTIONS = {
  'cert-path': { type: 'string' },
  'cert-name': { type: 'string' },
  reason: { type: 'string' },
  server: { type: 'string' },
  ...CLOUD_OPTIONS,
} as const;

const REASONS: Record<string, RevocationReason> = Object.fromEntries(
  (Object.keys(REVOCATION_REASONS) as RevocationReason[]).map((r) => [r.toLowerCase(), r]),
);

/** `acmeflow revoke`, as the operator manual's `certbot revoke --cert-path live/<name>/cert.pem`. */
export async function revoke(argv: readonly string[], cmd: CloudCommandContext): Promise<number> {
  const { values } = parseVerbArgs('revoke', argv, OPTIONS);
  if (values.help) {
    cmd.out.line(REVOKE_HELP);
    return 0;
  }
  const cloud = cloudTargetFromFlags('revoke', values);
  if (cloud) refuseLocalFlags(values, { 'config-dir': LOCAL_ONLY_FIXES['config-dir'] });
  const configDir = configDirFrom(values['config-dir'], cmd.env);
  if (cloud) {
    // In the stack both may be given: the file's certificate, revoked under the named lineage.
    if (!values['cert-path'] && !values['cert-name']) throw new UsageError('Name the certificate with --cert-name NAME (a lineage in the stack\u2019s bucket) or --cert-path PATH.');
  } else if (!values['cert-path'] === !values['cert-name']) throw new UsageError('Name the certificate with --cert-path PATH or --cert-name NAME (one of them).');
  const reasonKey = (values.reason ?? 'unspecified').toLowerCase().replace(/[^a-z]/g, '');
  const reason = REASONS[reasonKey];
  if (!reason) throw new UsageError(`--reason ${values.reason}: use one of ${Object.keys(REASONS).join(', ')}.`);
  const store = new FilesystemCertificateStore({ configDir });
  let lineage = values['cert-name'];
  let certificatePem: string | undefined;
  if (values['cert-path']) {
    try {
      certificatePem = await readFile(values['cert-path'], 'utf8');
      parseCertificate(certificatePem);
    } catch (err) {
      throw new UsageError(`--cert-path ${values['cert-path']}: not a readable certificate (${(err as Error).message}).`);
    }
  }
  if (cloud) {
    // Cloud mode's AWS clients load only when --stack is given.
    const { revokeInCloud } = await import('../cloud/index.js');
    return revokeInCloud(cmd, cloud, {
      ...(lineage ? { lineage } : {}),
      ...(values['cert-path'] && certificatePem ? { certificate: { path: values['cert-path'], pem: certificatePem } } : {}),
      reason,
      ...(values.server ? { server: values.server } : {}),
      json: values.json ?? false,
    });
  }
  if (values['cert-path'] && certificatePem) {
    lineage = await lineageOfPath(configDir, values['cert-path'], certificatePem, store);
    if (!lineage) throw new UsageError(`--cert-path ${values['cert-path']}: no lineage in ${configDir} holds this certificate.`);
  }
  const stored = await store.getLineage(lineage as string).catch(() => undefined);
  if (!stored) throw new UsageError(`--cert-name ${lineage}: no such certificate in ${configDir}.`);
  if (values.server && values.server !== stored.lineage.spec.ca.directoryUrl) {
    throw new UsageError(`--server ${values.server}: ${lineage} was issued by ${stored.lineage.spec.ca.directoryUrl}.`);
  }
  const engine = makeEngine(cmd, configDir, {});
  const result = await engine.revoke({ lineage: lineage as string, reason, ...(certificatePem ? { certificatePem } : {}) });
  if (values.json) cmd.out.json(result);
  else cmd.out.line(`Congratulations! You have successfully revoked the certificate that was located at ${values['cert-path'] ?? `${configDir}/live/${lineage}/cert.pem`} (serial ${result.serialHex}, reason ${result.reason}).`);
  return 0;
}

/** The lineage a certificate file belongs to: by its place under live/ or archive/, else by serial. */
async function lineageOfPath(configDir: string, path: string, pem: string, store: FilesystemCertificateStore): Promise<string | undefined> {
  const real = await realpath(path).catch(() => path);
  const rel = relative(await realpath(configDir).catch(() => configDir), real).split(sep);
  if ((rel[0] === 'archive' || rel[0] === 'live') && rel[1]) return rel[1];
  const serial = parseCertificate(pem).serialHex;
  for (const name of (await store.listLineages({ limit: 10_000 })).names) {
    const lineage = await store.getLineage(name).catch(() => undefined);
    if (lineage?.lineage.state.current?.serialHex === serial) return name;
  }
  return undefined;
}
