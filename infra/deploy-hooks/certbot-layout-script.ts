/**
 * The shell script the SSM deploy hook runs on each instance: read the certificate and its key — for
 * a lineage whose key is in S3 (the event's keyLocation starts with `s3://`), the version the event
 * names from the bucket (`archive/<name>/<n>/fullchain.pem`, `keys/<name>/<n>/privkey.pem`, both
 * write-once, so the pair always matches); otherwise the lineage's secret (`<prefix>cert/<lineage>`:
 * the private key, the full chain and the version) — write certbot's layout
 * (`archive/<name>/{cert,chain,fullchain,privkey}<N>.pem`, `live/<name>/*.pem` relative symlinks into
 * the archive, the key 0600), each file written whole and fsynced, the four links switched together
 * under certbot's `previous_*.pem` journal (a switch cut short is put back to the old pair by the next
 * run, by acmeflow and by any certbot command), then run the reload command. Servers configured for
 * certbot need no change.
 *
 * Needs on the instance: the SSM agent, the AWS CLI, python3, and an instance role allowed
 * `s3:GetObject` on those objects or `secretsmanager:GetSecretValue` on the secret, and `kms:Decrypt`
 * on the issuer's key (the hook's `instancePolicy`); for S3 the role must be one of the hook's
 * `instanceRoles`, the only roles the bucket and key policies let read `keys/`.
 */

/** A certbot lineage name, as the SSM document's `allowedPattern` enforces before anything runs. */
export const LINEAGE_PARAMETER_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
/** A certificate version number, as the hook's rule passes it (`v3`: a Run Command parameter is a string). */
export const VERSION_PARAMETER_PATTERN = '^v[1-9][0-9]{0,8}$';
/** The event's keyLocation: `s3://<bucket>/keys/<name>/` or a secret name; only its scheme is used. */
export const KEY_LOCATION_PARAMETER_PATTERN = '^[A-Za-z0-9/:_+=.@-]{1,600}$';

const WRITE_LAYOUT = String.raw`import json, os, re, subprocess
lineage = os.environ["ACMEFLOW_LINEAGE"]
config_dir = os.environ["ACMEFLOW_CONFIG_DIR"]
region = os.environ["ACMEFLOW_REGION"]

def s3_text(key):
    return subprocess.run(["aws", "s3", "cp", "--region", region, "s3://%s/%s" % (os.environ["ACMEFLOW_BUCKET"], key), "-"],
                          check=True, capture_output=True, text=True).stdout

if os.environ["ACMEFLOW_KEY_LOCATION"].startswith("s3://"):
    version = int(os.environ["ACMEFLOW_VERSION"].lstrip("v"))
    fullchain = s3_text("archive/%s/%d/fullchain.pem" % (lineage, version))
    value = {"privateKeyPem": s3_text("keys/%s/%d/privkey.pem" % (lineage, version))}
else:
    out = subprocess.run(["aws", "secretsmanager", "get-secret-value", "--region", region,
                          "--secret-id", os.environ["ACMEFLOW_SECRET_ID"], "--query", "SecretString", "--output", "text"],
                         check=True, capture_output=True, text=True).stdout
    value = json.loads(out)
    version = value.get("version")
    fullchain = value.get("fullchainPem") or ""
if not isinstance(version, int) or "BEGIN CERTIFICATE" not in fullchain or "PRIVATE KEY" not in value.get("privateKeyPem", ""):
    raise SystemExit("acmeflow: no issued certificate and key of %s to write yet" % lineage)
blocks = re.findall(r"-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----", fullchain)
files = {
    "cert": blocks[0] + "\n",
    "chain": "".join(b + "\n" for b in blocks[1:]),
    "fullchain": "".join(b + "\n" for b in blocks),
    "privkey": value["privateKeyPem"].rstrip("\n") + "\n",
}
archive = os.path.join(config_dir, "archive", lineage)
live = os.path.join(config_dir, "live", lineage)
os.makedirs(archive, mode=0o700, exist_ok=True)
os.makedirs(live, mode=0o700, exist_ok=True)

def sync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

def remove(path):
    if os.path.lexists(path):
        os.remove(path)

for kind, text in files.items():
    target = os.path.join(archive, "%s%d.pem" % (kind, version))
    tmp = target + ".acmeflow-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if kind == "privkey" else 0o644)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
sync_dir(archive)

# live/ switches its four links with certbot's own crash journal (certbot's update_all_links_to and
# _fix_symlinks; shared/store/filesystem/live-link-switch.ts does the same): previous_<kind>.pem for
# all four, then the renames back to back, then the journal goes, previous_cert.pem first. A switch
# cut short leaves a complete journal naming the old pair, which this script, acmeflow and every
# certbot command put back before anything else.
kinds = ["cert", "privkey", "chain", "fullchain"]
link = {k: os.path.join(live, k + ".pem") for k in kinds}
previous = {k: os.path.join(live, "previous_%s.pem" % k) for k in kinds}
if all(os.path.exists(previous[k]) for k in kinds):
    for k in kinds:
        remove(link[k] + ".acmeflow-tmp")
        os.symlink(os.readlink(previous[k]), link[k] + ".acmeflow-tmp")
    for k in kinds:
        os.replace(link[k] + ".acmeflow-tmp", link[k])
    print("acmeflow: live/%s/ was left between two versions; put back the pair its journal names" % lineage)
for k in kinds:
    remove(previous[k])
wanted = {k: os.path.relpath(os.path.join(archive, "%s%d.pem" % (k, version)), live) for k in kinds}
current = {k: os.readlink(link[k]) if os.path.islink(link[k]) else None for k in kinds}
if current != wanted:
    for k in kinds:
        remove(link[k] + ".acmeflow-tmp")
        os.symlink(wanted[k], link[k] + ".acmeflow-tmp")
    journaled = all(current[k] is not None for k in kinds)
    if journaled:
        for k in kinds:
            os.symlink(current[k], previous[k])
        sync_dir(live)
    for k in kinds:
        os.replace(link[k] + ".acmeflow-tmp", link[k])
    if journaled:
        for k in kinds:
            os.remove(previous[k])
sync_dir(live)
print("acmeflow: %s version %d written to %s" % (lineage, version, live))`;

function singleQuoted(label: string, value: string): string {
  if (/['\n\r]/.test(value)) throw new Error(`${label} must not contain a quote or a line break: ${JSON.stringify(value)}`);
  return `'${value}'`;
}

/**
 * The lines of the `aws:runShellScript` step. `{{ lineage }}` is the document parameter (checked
 * against {@link LINEAGE_PARAMETER_PATTERN} by SSM); every other value is fixed at synth time.
 *
 * @example
 * ```ts
 * certbotLayoutScript({ secretPrefix: 'acmeflow/', bucket: 'acmeflow-certs', configDir: '/etc/letsencrypt', region: 'ap-northeast-1', reloadCommand: 'systemctl reload httpd' });
 * ```
 */
export function certbotLayoutScript(options: { secretPrefix: string; bucket: string; configDir: string; region: string; reloadCommand: string }): string[] {
  if (/[\n\r]/.test(options.reloadCommand) || options.reloadCommand.trim() === '') throw new Error('reloadCommand must be one non-empty line.');
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    "export ACMEFLOW_LINEAGE='{{ lineage }}'",
    `export ACMEFLOW_SECRET_ID=${singleQuoted('secretPrefix', `${options.secretPrefix}cert/`).slice(0, -1)}{{ lineage }}'`,
    "export ACMEFLOW_VERSION='{{ version }}'",
    "export ACMEFLOW_KEY_LOCATION='{{ keyLocation }}'",
    `export ACMEFLOW_BUCKET=${singleQuoted('bucket', options.bucket)}`,
    `export ACMEFLOW_CONFIG_DIR=${singleQuoted('configDir', options.configDir)}`,
    `export ACMEFLOW_REGION=${singleQuoted('region', options.region)}`,
    "python3 - <<'ACMEFLOW_PY'",
    ...WRITE_LAYOUT.split('\n'),
    'ACMEFLOW_PY',
    options.reloadCommand,
  ];
}
