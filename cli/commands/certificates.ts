import { FilesystemCertificateStore } from '../../shared/store/filesystem/index.js';
import { parseVerbArgs } from '../args.js';
import { configDirFrom } from '../config-dir.js';
import type { CommandContext } from '../engine-runner.js';

export const CERTIFICATES_HELP = `Usage: acmeflow certificates [--json] [--config-dir DIR]

Lists the certificates in the config directory, as certbot certificates does.
`;

/** `acmeflow certificates`. */
export async function certificates(argv: readonly string[], cmd: CommandContext): Promise<number> {
  const { values } = parseVerbArgs('certificates', argv, { 'cert-name': { type: 'string' } });
  if (values.help) {
    cmd.out.line(CERTIFICATES_HELP);
    return 0;
  }
  const configDir = configDirFrom(values['config-dir'], cmd.env);
  const store = new FilesystemCertificateStore({ configDir });
  const names = values['cert-name'] ? [values['cert-name']] : (await store.listLineages({ limit: 10_000 })).names;
  const now = Date.now();
  const rows = [];
  for (const name of names) {
    try {
      const stored = await store.getLineage(name);
      if (!stored) continue;
      const { spec, state } = stored.lineage;
      const current = state.current;
      const daysLeft = current ? Math.floor((Date.parse(current.notAfter) - now) / 86_400_000) : undefined;
      const status = !current ? 'NOT ISSUED' : state.revoked?.serialHex === current.serialHex ? 'REVOKED' : daysLeft! < 0 ? 'EXPIRED' : 'VALID';
      rows.push({
        name,
        domains: [...spec.domains],
        keyType: spec.keyType,
        server: spec.ca.directoryUrl,
        serialHex: current?.serialHex,
        notAfter: current?.notAfter,
        daysLeft,
        status,
        version: state.currentVersion,
        certificatePath: `${configDir}/live/${name}/fullchain.pem`,
        privateKeyPath: `${configDir}/live/${name}/privkey.pem`,
        ...(state.failures ? { failures: state.failures.count, retryNotBefore: state.failures.retryNotBefore } : {}),
      });
    } catch (err) {
      rows.push({ name, error: (err as Error).message });
    }
  }
  if (values.json) {
    cmd.out.json({ configDir, certificates: rows });
    return 0;
  }
  if (rows.length === 0) {
    cmd.out.line(`No certificates found in ${configDir}.`);
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
