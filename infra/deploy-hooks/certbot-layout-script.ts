/**
 * The shell script the SSM deploy hook runs on each instance: read the lineage's secret
 * (`<prefix>cert/<lineage>`: the private key, the full chain and the version), write certbot's layout
 * (`archive/<name>/{cert,chain,fullchain,privkey}<N>.pem`, `live/<name>/*.pem` relative symlinks into
 * the archive, the key 0600), each file and link replaced atomically, then run the reload command.
 * Servers configured for certbot need no change.
 *
 * Needs on the instance: the SSM agent, the AWS CLI, python3, and an instance role allowed
 * `secretsmanager:GetSecretValue` on the secret and `kms:Decrypt` on the issuer's key.
 */

/** A certbot lineage name, as the SSM document's `allowedPattern` enforces before anything runs. */
export const LINEAGE_PARAMETER_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';

const WRITE_LAYOUT = String.raw`import json, os, re, subprocess
lineage = os.environ["ACMEFLOW_LINEAGE"]
config_dir = os.environ["ACMEFLOW_CONFIG_DIR"]
out = subprocess.run(["aws", "secretsmanager", "get-secret-value", "--region", os.environ["ACMEFLOW_REGION"],
                      "--secret-id", os.environ["ACMEFLOW_SECRET_ID"], "--query", "SecretString", "--output", "text"],
                     check=True, capture_output=True, text=True).stdout
value = json.loads(out)
version = value.get("version")
fullchain = value.get("fullchainPem") or ""
if not isinstance(version, int) or "BEGIN CERTIFICATE" not in fullchain:
    raise SystemExit("acmeflow: the secret of %s holds no issued certificate yet" % lineage)
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
for kind, text in files.items():
    target = os.path.join(archive, "%s%d.pem" % (kind, version))
    tmp = target + ".acmeflow-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if kind == "privkey" else 0o644)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, target)
for kind in files:
    link = os.path.join(live, kind + ".pem")
    tmp = link + ".acmeflow-tmp"
    if os.path.lexists(tmp):
        os.remove(tmp)
    os.symlink(os.path.relpath(os.path.join(archive, "%s%d.pem" % (kind, version)), live), tmp)
    os.replace(tmp, link)
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
 * certbotLayoutScript({ secretPrefix: 'acmeflow/', configDir: '/etc/letsencrypt', region: 'ap-northeast-1', reloadCommand: 'systemctl reload httpd' });
 * ```
 */
export function certbotLayoutScript(options: { secretPrefix: string; configDir: string; region: string; reloadCommand: string }): string[] {
  if (/[\n\r]/.test(options.reloadCommand) || options.reloadCommand.trim() === '') throw new Error('reloadCommand must be one non-empty line.');
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    "export ACMEFLOW_LINEAGE='{{ lineage }}'",
    `export ACMEFLOW_SECRET_ID=${singleQuoted('secretPrefix', `${options.secretPrefix}cert/`).slice(0, -1)}{{ lineage }}'`,
    `export ACMEFLOW_CONFIG_DIR=${singleQuoted('configDir', options.configDir)}`,
    `export ACMEFLOW_REGION=${singleQuoted('region', options.region)}`,
    "python3 - <<'ACMEFLOW_PY'",
    ...WRITE_LAYOUT.split('\n'),
    'ACMEFLOW_PY',
    options.reloadCommand,
  ];
}
