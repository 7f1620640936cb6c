import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRfc2136Credentials, readRfc2136Credentials } from '../../../../../shared/dns/providers/rfc2136/credentials.js';

const SECRET = '4q4wM/2I180UXoMyN4INVhJNi8V9BCV+jMw2mXgZw/CSuxUT8C7NKKFsAmKd7ak51vWKgSl12ib86oQRPkpDjg==';
const INI = `# Target DNS server (IPv4 or IPv6 address, not a hostname)
dns_rfc2136_server = 192.0.2.1
# Target DNS port
dns_rfc2136_port = 5353
# TSIG key name
dns_rfc2136_name = keyname.
# TSIG key secret
dns_rfc2136_secret = ${SECRET}
# TSIG key algorithm
dns_rfc2136_algorithm = HMAC-SHA512
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-credentials-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseRfc2136Credentials', () => {
  it('reads certbot\'s documented example', () => {
    expect(parseRfc2136Credentials(INI)).toEqual({
      server: '192.0.2.1',
      port: 5353,
      tsig: { name: 'keyname.', algorithm: 'hmac-sha512', secret: SECRET },
    });
  });

  it('accepts quotes, ; comments, inline comments, the plugin prefix and sign_query', () => {
    const text = [
      '; comment',
      'certbot_dns_rfc2136:dns_rfc2136_server=ns.example.test   # primary',
      'dns_rfc2136_name = "acmeflow"',
      `dns_rfc2136_secret = '${SECRET}'`,
      'dns_rfc2136_algorithm = hmac-sha256',
      'dns_rfc2136_sign_query = true',
    ].join('\r\n');
    expect(parseRfc2136Credentials(text)).toEqual({
      server: 'ns.example.test',
      tsig: { name: 'acmeflow', algorithm: 'hmac-sha256', secret: SECRET },
      signQuery: true,
    });
  });

  it('defaults to HMAC-MD5 like certbot, with a warning', () => {
    const warnings: string[] = [];
    const credentials = parseRfc2136Credentials(INI.replace(/^dns_rfc2136_algorithm.*$/m, ''), { warn: (message) => warnings.push(message) });
    expect(credentials.tsig.algorithm).toBe('hmac-md5');
    expect(warnings).toEqual([expect.stringContaining('HMAC-MD5')]);
  });

  it('lists every problem in one typed error, without the secret', () => {
    const text = 'dns_rfc2136_secret = not*base64\ndns_rfc2136_algorithm = HMAC-SHA3\ndns_rfc2136_port = 70000\n';
    let error: unknown;
    try {
      parseRfc2136Credentials(text, { source: '/etc/letsencrypt/rfc2136.ini' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'Rfc2136ConfigError' });
    const { message, issues } = error as { message: string; issues: string[] };
    expect(issues).toEqual([
      expect.stringMatching(/^dns_rfc2136_server: missing/),
      expect.stringMatching(/^dns_rfc2136_name: missing/),
      expect.stringMatching(/^dns_rfc2136_secret: not valid base64/),
      expect.stringMatching(/^dns_rfc2136_algorithm: unknown/),
      expect.stringMatching(/^dns_rfc2136_port: not a port/),
    ]);
    expect(message).toContain('/etc/letsencrypt/rfc2136.ini');
    expect(message).not.toContain('not*base64');
  });
});

describe('readRfc2136Credentials', () => {
  it('reads a 0600 file without warning', async () => {
    const path = join(dir, 'private.ini');
    await writeFile(path, INI);
    await chmod(path, 0o600);
    const warnings: string[] = [];
    await expect(readRfc2136Credentials(path, { warn: (message) => warnings.push(message) })).resolves.toMatchObject({ server: '192.0.2.1' });
    expect(warnings).toEqual([]);
  });

  it('warns when group or others can read the file, as certbot does', async () => {
    const path = join(dir, 'open.ini');
    await writeFile(path, INI);
    await chmod(path, 0o644);
    const warnings: string[] = [];
    await readRfc2136Credentials(path, { warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringMatching(/Unsafe permissions on credentials configuration file .*open\.ini.*644.*chmod 600/)]);
    expect(warnings.join()).not.toContain(SECRET);
  });

  it('names the path and the fix when the file is missing', async () => {
    const path = join(dir, 'missing.ini');
    const error = await readRfc2136Credentials(path).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'Rfc2136CredentialsFileError', path, fix: expect.stringContaining('chmod 600') });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('no such file');
  });

  it('rejects a directory', async () => {
    await expect(readRfc2136Credentials(dir)).rejects.toMatchObject({ name: 'Rfc2136CredentialsFileError', message: expect.stringContaining('not a regular file') });
  });
});
