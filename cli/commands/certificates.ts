import type { CertificateStore } from '../../shared/store/index.js';
import { FilesystemCertificateStore } from '../../shared/store/filesystem/index.js';
import { s3ObjectKeys } from '../../shared/store/s3/object-keys.js';
import { parseVerbArgs } from '../args.js';
import type { CloudCommandContext } from '../cloud/cloud-context.js';
import { CLOUD_OPTIONS, cloudTargetFromFlags, LOCAL_ONLY_FIXES, refuseLocalFlags } from '../cloud/cloud-flags.js';
import { mapLimit } from '../cloud/map-limit.js';
import { configDirFrom } from '../config-dir.js';
import type { CommandContext } from '../engine-runner.js';

export const CERTIFICATES_HELP = `Usage: acmeflow certificates [--json] [--config-dir DIR]

Lists the certificates in the config directory, as certbot certificates does.

Cloud mode (the deployed stack instead of this machine):
  --stack NAME                 the acmeflow CloudFormation stack (its outputs name the bucket)
  --region R                   its region (default: AWS_REGION or the profile's)
  With --stack the certificates in the stack's bucket are listed (paths are S3 objects and Secrets Manager secrets).
`;

/** Where the listed certificates are, and how their files are named there. */
interface Listing {
  readonly store: Pick<CertificateStore, 'getLineage'>;
  readonly names: readonly string[];
  certificatePath(name: string): string;
  privateKeyPath(name: string): string;
  /** Lineages read at once. */
  readonly concurrency: number;
}

/** `acmeflow certificates`. */
export async function certificates(argv: readonly string[], cmd: CloudCommandContext): Promise<number> {
  const { values } = parseVerbArgs('certificates', argv, { 'cert-name': { type: 'string' }, stack: CLOUD_OPTIONS.stack, region: CLOUD_OPTIONS.region });
  if (values.help) {
    cmd.out.line(CERTIFICATES_HELP);
    return 0;
  }
  const cloud = cloudTargetFromFlags('certificates', values);
  if (cloud) {
    refuseLocalFlags(values, { 'config-dir': LOCAL_ONLY_FIXES['config-dir'] });
    // Cloud mode's AWS clients load only when --stack is given.
    const { allLineageNames, openCloudSession } = await import('../cloud/index.js');
    const session = await openCloudSession(cmd, cloud, []);
    try {
      const { stackName, region, bucketName } = session.stack;
      const rows = await certificateRows({
        store: session.store,
        names: values['cert-name'] ? [values['cert-name']] : await allLineageNames(session.store),
        certificatePath: (name) => session.s3Url(s3ObjectKeys.live(name).fullchain),
        privateKeyPath: (name) => `secretsmanager:${session.keySecretName(name)}`,
        concurrency: 16,
      });
      return printCertificates(cmd, rows, { json: values.json ?? false, where: { stack: stackName, region, bucket: bucketName }, place: `s3://${bucketName} (stack ${stackName}, ${region})` });
    } finally {
      session.close();
    }
  }
  const configDir = configDirFrom(values['config-dir'], cmd.env);
  const store = new FilesystemCertificateStore({ configDir });
  const rows = await certificateRows({
    store,
    names: values['cert-name'] ? [values['cert-name']] : (await store.listLineages({ limit: 10_000 })).names,
    certificatePath: (name) => `${configDir}/live/${name}/fullchain.pem`,
    privateKeyPath: (name) => `${configDir}/live/${name}/privkey.pem`,
    concurrency: 1,
  });
  return printCertificates(cmd, rows, { json: values.json ?? false, where: { configDir }, place: configDir });
}

type Row = Awaited<ReturnType<typeof certificateRows>>[number];

/** One row per lineage: its names, key, current certificate and status, or the error reading it. */
async function certificateRows(listing: Listing) {
  const now = Date.now();
  const rows = await mapLimit(listing.names, listing.concurrency, async (name) => {
    try {
      const stored = await listing.store.getLineage(name);
      if (!stored) return undefined;
      const { spec, state } = stored.lineage;
      const current = state.current;
      const daysLeft = current ? Math.floor((Date.parse(current.notAfter) - now) / 86_400_000) : undefined;
      const status = !current ? 'NOT ISSUED' : state.revoked?.serialHex === current.serialHex ? 'REVOKED' : daysLeft! < 0 ? 'EXPIRED' : 'VALID';
      return {
        name,
        domains: [...spec.domains],
        keyType: spec.keyType,
        server: spec.ca.directoryUrl,
        serialHex: current?.serialHex,
        notAfter: current?.notAfter,
        daysLeft,
        status,
        version: state.currentVersion,
        certificatePath: listing.certificatePath(name),
        privateKeyPath: listing.privateKeyPath(name),
        ...(state.failures ? { failures: state.failures.count, retryNotBefore: state.failures.retryNotBefore } : {}),
      };
    } catch (err) {
      return { name, error: (err as Error).message };
    }
  });
  return rows.filter((row) => row !== undefined);
}

/** certbot's listing, or JSON `{ <where>, certificates }`. */
function printCertificates(cmd: CommandContext, rows: readonly Row[], options: { json: boolean; where: Record<string, string>; place: string }): number {
  if (options.json) {
    cmd.out.json({ ...options.where, certificates: rows });
    return 0;
  }
  if (rows.length === 0) {
    cmd.out.line(`No certificates found in ${options.place}.`);
    return 0;
  }
  cmd.out.line('Found the following certs:');
  for (const r of rows) {
    cmd.out.line(`  Certificate Name: ${r.name}`);
    if ('error' in r) {
      cmd.out.line(`    Error: ${r.error}`);
      continue;
    }
    if (r.serialHex) cmd.out.line(`    Serial Number: ${r.serialHex}`);
    cmd.out.line(`    Key Type: ${r.keyType}`);
    cmd.out.line(`    Domains: ${r.domains.join(' ')}`);
    if (r.notAfter) cmd.out.line(`    Expiry Date: ${r.notAfter} (${r.status}: ${r.daysLeft} days)`);
    else cmd.out.line(`    Expiry Date: - (${r.status})`);
    cmd.out.line(`    Certificate Path: ${r.certificatePath}`);
    cmd.out.line(`    Private Key Path: ${r.privateKeyPath}`);
    if (r.failures) cmd.out.line(`    Last renewal failed ${r.failures} time(s); next try after ${r.retryNotBefore}`);
  }
  return 0;
}
