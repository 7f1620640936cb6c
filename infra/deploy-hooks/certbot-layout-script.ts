/**
 * The shell script the SSM deploy hook runs on each instance, from two callers:
 *
 * - **Run Command** on `Certificate Deployable` (`version` = `v<n>`): the version the event names —
 *   for a lineage whose key is in S3 (the event's keyLocation starts with `s3://`) from the bucket
 *   (`archive/<name>/<n>/fullchain.pem`, `keys/<name>/<n>/privkey.pem`, both write-once, so the pair
 *   always matches); otherwise from the lineage's secret (`<prefix>cert/<lineage>`: the private key,
 *   the full chain and the version).
 * - **The State Manager association** (`lineage` = `*`, `version` = `current`), for instances that
 *   were not there when the event fired: each of the hook's lineages (fixed at synth time, or every
 *   `renewal/<name>.json` when the hook has no lineage list) at the version its stored state names,
 *   once that version is past its deploy delay (`state.issuedAt + spec.deployDelaySeconds`), from
 *   the key store its spec names.
 *
 * Either way it writes certbot's layout (`archive/<name>/{cert,chain,fullchain,privkey}<N>.pem`,
 * `live/<name>/*.pem` relative symlinks into the archive, the key 0600), each file written whole and
 * fsynced, the four links switched together under certbot's `previous_*.pem` journal (a switch cut
 * short is put back to the old pair by the next run, by acmeflow and by any certbot command), then
 * runs the reload command — only when something served changed, or a previous reload did not succeed
 * (`<configDir>/.acmeflow-reload-pending-<hook>`): a run on an instance that is already current writes
 * nothing and reloads nothing. Servers configured for certbot need no change.
 *
 * Exit status: 0; 3 when some lineages could not be read (the others are written and reloaded);
 * anything else when the script or the reload failed. The SSM hook alarms on every failed run.
 *
 * Needs on the instance: the SSM agent, the AWS CLI, python3, and an instance role allowed
 * `s3:GetObject` on those objects (and `renewal/<name>.json`, `s3:ListBucket` on `renewal/` for a hook
 * without a lineage list) or `secretsmanager:GetSecretValue` on the secret, and `kms:Decrypt` on the
 * issuer's key (the hook's `instancePolicy`); for S3 keys the role must be one of the hook's
 * `instanceRoles`, the only roles the bucket and key policies let read `keys/`.
 */

import { createHash } from 'node:crypto';

/** A certbot lineage name, or `*` (every lineage of the hook), as the SSM document's `allowedPattern` enforces before anything runs. */
export const LINEAGE_PARAMETER_PATTERN = '^(\\*|[A-Za-z0-9][A-Za-z0-9._-]{0,127})$';
/** A certificate version number, as the hook's rule passes it (`v3`: a Run Command parameter is a string), or `current` (the association). */
export const VERSION_PARAMETER_PATTERN = '^(v[1-9][0-9]{0,8}|current)$';
/**
 * The marker of a reload still owed (see the file's comment), in certbot's config directory: one per
 * reload command and lineage list, so that two hooks on one instance (nginx for some lineages, postfix
 * for others) never take each other's owed reload.
 *
 * @example
 * ```ts
 * reloadPendingFile({ reloadCommand: 'systemctl reload httpd' }); // '.acmeflow-reload-pending-3f2a…' (12 hex digits)
 * ```
 */
export function reloadPendingFile(options: { reloadCommand: string; lineages?: readonly string[] }): string {
  const hook = createHash('sha256')
    .update(JSON.stringify([options.reloadCommand, options.lineages ?? []]))
    .digest('hex')
    .slice(0, 12);
  return `.acmeflow-reload-pending-${hook}`;
}
/** The event's keyLocation: `s3://<bucket>/keys/<name>/` or a secret name; only its scheme is used. */
export const KEY_LOCATION_PARAMETER_PATTERN = '^[A-Za-z0-9/:_+=.@-]{1,600}$';

const WRITE_LAYOUT = String.raw`import json, os, re, subprocess, sys, time
from datetime import datetime
config_dir = os.environ["ACMEFLOW_CONFIG_DIR"]
region = os.environ["ACMEFLOW_REGION"]
bucket = os.environ["ACMEFLOW_BUCKET"]
name_pattern = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Written before anything served changes, removed by the shell once the reload succeeded: a reload
# that failed, or a run killed mid-switch, is reloaded by the next run even if it finds nothing to change.
reload_pending = os.path.join(config_dir, os.environ["ACMEFLOW_RELOAD_PENDING"])

class NotYet(Exception):
    """Nothing to deploy for this lineage in this run (not issued, inside its deploy delay, revoked)."""

def aws(*args):
    return subprocess.run(["aws", *args], check=True, capture_output=True, text=True).stdout

def s3_text(key):
    return aws("s3", "cp", "--region", region, "s3://%s/%s" % (bucket, key), "-")

def secret_value(lineage):
    out = aws("secretsmanager", "get-secret-value", "--region", region,
              "--secret-id", os.environ["ACMEFLOW_SECRET_PREFIX"] + "cert/" + lineage, "--query", "SecretString", "--output", "text")
    return json.loads(out)

def announced(lineage):
    """The version a Certificate Deployable event named (Run Command from the hook's rule)."""
    if os.environ["ACMEFLOW_KEY_LOCATION"].startswith("s3://"):
        version = int(os.environ["ACMEFLOW_VERSION"].lstrip("v"))
        return version, s3_text("archive/%s/%d/fullchain.pem" % (lineage, version)), s3_text("keys/%s/%d/privkey.pem" % (lineage, version))
    value = secret_value(lineage)
    return value.get("version"), value.get("fullchainPem") or "", value.get("privateKeyPem", "")

def current(lineage):
    """The lineage's current version, once its deploy delay has passed (the State Manager association).
    renewal/<name>.json is written after the version, its key and live/, so the version it names is complete."""
    stored = json.loads(s3_text("renewal/%s.json" % lineage))
    spec, state = stored.get("spec", {}), stored.get("state", {})
    version = state.get("currentVersion", 0)
    if not isinstance(version, int) or version < 1:
        raise NotYet("no certificate issued yet")
    revoked, summary = state.get("revoked"), state.get("current") or {}
    if revoked and revoked.get("serialHex") == summary.get("serialHex"):
        raise NotYet("version %d was revoked" % version)
    issued_at = state.get("issuedAt")
    if issued_at:
        # The deploy delay (OCSP responder lag) holds for late instances too: the event path delivers it after.
        deployable_at = datetime.fromisoformat(issued_at.replace("Z", "+00:00")).timestamp() + int(spec.get("deployDelaySeconds") or 0)
        if time.time() < deployable_at:
            raise NotYet("version %d is inside its deploy delay" % version)
    if (spec.get("keyStore") or os.environ["ACMEFLOW_DEFAULT_KEY_STORE"]) == "s3":
        return version, s3_text("archive/%s/%d/fullchain.pem" % (lineage, version)), s3_text("keys/%s/%d/privkey.pem" % (lineage, version))
    value = secret_value(lineage)
    if value.get("version") != version:
        raise NotYet("its secret holds version %s, the lineage %d: a renewal is being stored" % (value.get("version"), version))
    return version, value.get("fullchainPem") or "", value.get("privateKeyPem", "")

def hook_lineages():
    fixed = [n for n in os.environ["ACMEFLOW_HOOK_LINEAGES"].split(",") if n]
    if fixed:
        return fixed
    keys = aws("s3api", "list-objects-v2", "--region", region, "--bucket", bucket, "--prefix", "renewal/", "--query", "Contents[].Key", "--output", "text").split()
    names = [k[len("renewal/"):-len(".json")] for k in keys if k.startswith("renewal/") and k.endswith(".json")]
    return sorted(n for n in names if name_pattern.match(n))

def sync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

def remove(path):
    if os.path.lexists(path):
        os.remove(path)

def mark_reload():
    if not os.path.exists(reload_pending):
        with open(reload_pending, "w") as f:
            f.write("acmeflow: a certificate changed; the reload command has not succeeded since\n")

def write_layout(lineage, version, fullchain, private_key):
    if not isinstance(version, int) or "BEGIN CERTIFICATE" not in fullchain or "PRIVATE KEY" not in private_key:
        raise SystemExit("acmeflow: no issued certificate and key of %s to write yet" % lineage)
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----", fullchain)
    files = {
        "cert": blocks[0] + "\n",
        "chain": "".join(b + "\n" for b in blocks[1:]),
        "fullchain": "".join(b + "\n" for b in blocks),
        "privkey": private_key.rstrip("\n") + "\n",
    }
    archive = os.path.join(config_dir, "archive", lineage)
    live = os.path.join(config_dir, "live", lineage)
    os.makedirs(archive, mode=0o700, exist_ok=True)
    os.makedirs(live, mode=0o700, exist_ok=True)

    # A file already holding these bytes is left alone, so a run on an instance that is current writes nothing.
    wrote = False
    for kind, text in files.items():
        target = os.path.join(archive, "%s%d.pem" % (kind, version))
        if os.path.isfile(target) and not os.path.islink(target):
            with open(target) as f:
                if f.read() == text:
                    continue
        mark_reload()
        tmp = target + ".acmeflow-tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if kind == "privkey" else 0o644)
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        wrote = True
    if wrote:
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
        mark_reload()
        for k in kinds:
            remove(link[k] + ".acmeflow-tmp")
            os.symlink(os.readlink(previous[k]), link[k] + ".acmeflow-tmp")
        for k in kinds:
            os.replace(link[k] + ".acmeflow-tmp", link[k])
        print("acmeflow: live/%s/ was left between two versions; put back the pair its journal names" % lineage)
    for k in kinds:
        remove(previous[k])
    wanted = {k: os.path.relpath(os.path.join(archive, "%s%d.pem" % (k, version)), live) for k in kinds}
    current_links = {k: os.readlink(link[k]) if os.path.islink(link[k]) else None for k in kinds}
    if current_links == wanted:
        print("acmeflow: %s version %d is already in %s" % (lineage, version, live))
        return
    mark_reload()
    for k in kinds:
        remove(link[k] + ".acmeflow-tmp")
        os.symlink(wanted[k], link[k] + ".acmeflow-tmp")
    journaled = all(current_links[k] is not None for k in kinds)
    if journaled:
        for k in kinds:
            os.symlink(current_links[k], previous[k])
        sync_dir(live)
    for k in kinds:
        os.replace(link[k] + ".acmeflow-tmp", link[k])
    if journaled:
        for k in kinds:
            os.remove(previous[k])
    sync_dir(live)
    print("acmeflow: %s version %d written to %s" % (lineage, version, live))

reconcile = os.environ["ACMEFLOW_VERSION"] == "current"
requested = os.environ["ACMEFLOW_LINEAGE"]
lineages = hook_lineages() if requested == "*" else [requested]
failed = []
for lineage in lineages:
    try:
        write_layout(lineage, *(current(lineage) if reconcile else announced(lineage)))
    except NotYet as reason:
        print("acmeflow: %s left as it is: %s" % (lineage, reason))
    except (Exception, SystemExit) as error:
        detail = error.stderr.strip() if isinstance(error, subprocess.CalledProcessError) and error.stderr else error
        print("acmeflow: %s could not be written: %s" % (lineage, detail), file=sys.stderr)
        failed.append(lineage)
if failed:
    # 3: these lineages failed before touching live/; the others were written and are reloaded.
    sys.exit(3)`;

function singleQuoted(label: string, value: string): string {
  if (/['\n\r]/.test(value)) throw new Error(`${label} must not contain a quote or a line break: ${JSON.stringify(value)}`);
  return `'${value}'`;
}

/** What the script is fixed to at synth time. */
export interface CertbotLayoutScriptOptions {
  readonly secretPrefix: string;
  readonly bucket: string;
  readonly configDir: string;
  readonly region: string;
  readonly reloadCommand: string;
  /** The hook's lineages, which `lineage` = `*` means. @default every lineage in the bucket */
  readonly lineages?: readonly string[];
  /** The key store of a lineage whose spec names none (the issuer's `keyStore`). @default 's3' */
  readonly defaultKeyStore?: 's3' | 'secretsManager';
}

/**
 * The lines of the `aws:runShellScript` step. `{{ lineage }}`, `{{ version }}` and `{{ keyLocation }}`
 * are the document parameters (checked against their patterns by SSM); every other value is fixed at
 * synth time.
 *
 * @example
 * ```ts
 * certbotLayoutScript({ secretPrefix: 'acmeflow/', bucket: 'acmeflow-certs', configDir: '/etc/letsencrypt', region: 'ap-northeast-1', reloadCommand: 'systemctl reload httpd' });
 * ```
 */
export function certbotLayoutScript(options: CertbotLayoutScriptOptions): string[] {
  if (/[\n\r]/.test(options.reloadCommand) || options.reloadCommand.trim() === '') throw new Error('reloadCommand must be one non-empty line.');
  const lineagePattern = new RegExp(LINEAGE_PARAMETER_PATTERN);
  for (const name of options.lineages ?? []) {
    if (name === '*' || !lineagePattern.test(name)) throw new Error(`lineages: ${JSON.stringify(name)} is not a lineage name.`);
  }
  const pending = '"$ACMEFLOW_CONFIG_DIR/$ACMEFLOW_RELOAD_PENDING"';
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    "export ACMEFLOW_LINEAGE='{{ lineage }}'",
    "export ACMEFLOW_VERSION='{{ version }}'",
    "export ACMEFLOW_KEY_LOCATION='{{ keyLocation }}'",
    `export ACMEFLOW_SECRET_PREFIX=${singleQuoted('secretPrefix', options.secretPrefix)}`,
    `export ACMEFLOW_BUCKET=${singleQuoted('bucket', options.bucket)}`,
    `export ACMEFLOW_CONFIG_DIR=${singleQuoted('configDir', options.configDir)}`,
    `export ACMEFLOW_REGION=${singleQuoted('region', options.region)}`,
    `export ACMEFLOW_HOOK_LINEAGES='${(options.lineages ?? []).join(',')}'`,
    `export ACMEFLOW_DEFAULT_KEY_STORE='${options.defaultKeyStore ?? 's3'}'`,
    `export ACMEFLOW_RELOAD_PENDING='${reloadPendingFile(options)}'`,
    'status=0',
    "python3 - <<'ACMEFLOW_PY' || status=$?",
    ...WRITE_LAYOUT.split('\n'),
    'ACMEFLOW_PY',
    // A killed or broken run (any other status) may have left live/ mid-switch: no reload until a run puts it together.
    `if { [ "$status" -eq 0 ] || [ "$status" -eq 3 ]; } && [ -e ${pending} ]; then`,
    `  ${options.reloadCommand}`,
    `  rm -f ${pending}`,
    'fi',
    'exit "$status"',
  ];
}
