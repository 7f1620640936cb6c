/**
 * The object keys of the S3 layout (ARCHITECTURE.md, "Where things are stored"), in one place so
 * the store, the lock and the IAM policy of the construct agree on them.
 *
 * ```
 * renewal/<name>.json                                   the lineage
 * archive/<name>/<n>/cert.pem chain.pem fullchain.pem   write-once versions
 * archive/<name>/<n>/meta.json                          written last: a version is complete iff it exists
 * live/<name>/cert.pem chain.pem fullchain.pem          what deployments read
 * live/<name>/version.json                              written last: which version live/ serves
 * locks/<name>.json                                     the lineage lock's lease
 * keys/<name>/pending/<sha256(token)>.pem               a pending certificate key (S3KeyStore)
 * keys/<name>/<n>/privkey.pem                           the key of version n, write-once
 * ```
 *
 * `keys/` is the only prefix that holds secrets: the bucket policy and the key policy let only the
 * functions that handle certificate keys (and the consumers the construct grants) read it.
 *
 * @example
 * ```ts
 * s3ObjectKeys.archive('example.com', 3).meta; // 'archive/example.com/3/meta.json'
 * ```
 */
export const s3ObjectKeys = {
  renewalPrefix: 'renewal/',
  renewal: (name: string): string => `renewal/${name}.json`,
  archivePrefix: (name: string): string => `archive/${name}/`,
  archive: (name: string, version: number) => {
    const base = `archive/${name}/${version}/`;
    return { cert: `${base}cert.pem`, chain: `${base}chain.pem`, fullchain: `${base}fullchain.pem`, meta: `${base}meta.json` } as const;
  },
  live: (name: string) => {
    const base = `live/${name}/`;
    return { cert: `${base}cert.pem`, chain: `${base}chain.pem`, fullchain: `${base}fullchain.pem`, version: `${base}version.json` } as const;
  },
  lock: (name: string): string => `locks/${name}.json`,
  keysPrefix: 'keys/',
  pendingCertificateKey: (name: string, tokenHash: string): string => `keys/${name}/pending/${tokenHash}.pem`,
  certificateKey: (name: string, version: number): string => `keys/${name}/${version}/privkey.pem`,
} as const;

/** The lineage name of a `renewal/<name>.json` key, or undefined for any other key under `renewal/`. */
export function lineageNameOfRenewalKey(key: string): string | undefined {
  const match = /^renewal\/([^/]+)\.json$/.exec(key);
  return match?.[1];
}

/** The version number of an `archive/<name>/<n>/` common prefix, or undefined. */
export function versionOfArchivePrefix(name: string, prefix: string): number | undefined {
  const rest = prefix.startsWith(`archive/${name}/`) ? prefix.slice(`archive/${name}/`.length) : undefined;
  const match = rest === undefined ? null : /^([1-9]\d*)\/$/.exec(rest);
  return match ? Number(match[1]) : undefined;
}
