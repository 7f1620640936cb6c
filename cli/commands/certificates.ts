import type { CertificateListing, ServedEndpoint } from '../backend/backend.js';
import { CLOUD_OPTIONS, LOCAL_ONLY_FIXES } from '../cloud/cloud-flags.js';
import type { Output } from '../output.js';
import { certNameFromFlag } from '../cert-name.js';
import type { Verb } from './verb.js';

export const CERTIFICATES_HELP = `Usage: acmeflow certificates [--json] [--config-dir DIR]

Lists the certificates in the config directory, as certbot certificates does.

Cloud mode (the deployed stack instead of this machine):
  --stack NAME                 the acmeflow CloudFormation stack (its outputs name the bucket)
  --region R                   its region (default: AWS_REGION or the profile's)
  With --stack the certificates in the stack's bucket are listed (paths are S3 objects and Secrets Manager secrets).
`;

const OPTIONS = { 'cert-name': { type: 'string' }, stack: CLOUD_OPTIONS.stack, region: CLOUD_OPTIONS.region } as const;

/** `acmeflow certificates`. */
export const certificates: Verb<typeof OPTIONS> = {
  name: 'certificates',
  help: CERTIFICATES_HELP,
  options: OPTIONS,
  localOnly: { 'config-dir': LOCAL_ONLY_FIXES['config-dir'] },
  async run(values, backend, cmd) {
    const listing = await backend.listCertificates(values['cert-name'] ? { name: certNameFromFlag(values['cert-name']) } : {});
    return printCertificates(cmd.out, listing, { json: values.json ?? false });
  },
};

/** certbot's `Key Type:` (its `private_key_type`): `RSA` or `ECDSA`, whatever the size or curve. */
export function certbotKeyType(keyType: string): string {
  return keyType.startsWith('rsa') ? 'RSA' : keyType.startsWith('ecdsa') ? 'ECDSA' : keyType;
}

/**
 * certbot's `Expiry Date:` value (certbot/_internal/cert_manager.py `human_readable_cert_info`):
 * Python's `str(datetime)` in UTC, then the status: `VALID: 89 days`, `VALID: 1 day`, under a day
 * `VALID: 5 hour(s)`, or `INVALID: EXPIRED` / `INVALID: REVOKED`.
 *
 * @example
 * certbotExpiry('2027-03-07T10:11:12.000Z', 'VALID', Date.parse('2026-12-08T00:00:00Z')) // → '2027-03-07 10:11:12+00:00 (VALID: 89 days)'
 */
export function certbotExpiry(notAfter: string, status: string, now: number): string {
  const date = `${new Date(notAfter).toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
  const left = Date.parse(notAfter) - now;
  let state: string;
  if (status === 'REVOKED') state = 'INVALID: REVOKED';
  else if (left <= 0) state = 'INVALID: EXPIRED';
  else {
    const days = Math.floor(left / 86_400_000);
    state = days === 1 ? 'VALID: 1 day' : days < 1 ? `VALID: ${Math.floor((left % 86_400_000) / 3_600_000)} hour(s)` : `VALID: ${days} days`;
  }
  return `${date} (${state})`;
}

/** certbot's listing, or JSON `{ <where>, certificates }`. */
export function printCertificates(out: Output, listing: CertificateListing, options: { readonly json: boolean; readonly now?: number }): number {
  const now = options.now ?? Date.now();
  const { rows } = listing;
  if (options.json) {
    out.json({ ...listing.where, certificates: rows });
    return 0;
  }
  if (rows.length === 0) {
    out.line(`No certificates found in ${listing.place}.`);
    return 0;
  }
  out.line('Found the following certs:');
  for (const r of rows) {
    out.line(`  Certificate Name: ${r.name}`);
    if ('error' in r) {
      out.line(`    Error: ${r.error}`);
      continue;
    }
    // certbot prints the serial as a number in hex (`format(serial, 'x')`): no leading zeros.
    if (r.serialHex) out.line(`    Serial Number: ${r.serialHex.replace(/^0+(?=.)/, '')}`);
    out.line(`    Key Type: ${certbotKeyType(r.keyType)}`);
    out.line(`    Domains: ${r.domains.join(' ')}`);
    if (r.profile) out.line(`    Profile: ${r.profile} (${r.profileRequired ? 'required' : 'preferred'})`);
    if (r.notAfter) out.line(`    Expiry Date: ${certbotExpiry(r.notAfter, r.status, now)}`);
    else out.line(`    Expiry Date: - (${r.status})`);
    if (r.renewalDue) out.line('    Renewal: DUE (within its renewal threshold; "acmeflow renew" renews it)');
    out.line(`    Certificate Path: ${r.certificatePath}`);
    out.line(`    Private Key Path: ${r.privateKeyPath}`);
    if (r.failures) out.line(`    Last renewal failed ${r.failures} time(s); next try after ${r.retryNotBefore}`);
    for (const s of r.served ?? []) out.line(`    Served at ${s.endpoint}: ${servedText(s, r.serialHex)}`);
  }
  return 0;
}

/** `CURRENT (59 days)`, `STALE: serial 04ab…, not the current 05cd… (12 days, EXPIRING)`, `UNREACHABLE (ECONNREFUSED …)`. */
function servedText(s: ServedEndpoint, currentSerial: string | undefined): string {
  if (s.state === 'unreachable') return `UNREACHABLE (${s.error ?? 'no certificate read'})`;
  const days = `${s.daysToExpiry === undefined ? '?' : Math.floor(s.daysToExpiry)} days${s.expiring ? ', EXPIRING' : ''}`;
  if (s.state === 'current') return `CURRENT (${days})`;
  const which = `serial ${s.serialHex}, not the current ${currentSerial ?? '(none)'}`;
  return s.state === 'switching' ? `SWITCHING, within the deploy delay: ${which} (${days})` : `STALE: ${which} (${days})`;
}
