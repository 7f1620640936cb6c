/**
 * The verbs never tell this machine from a stack: that choice is selectBackend's alone. A verb that
 * reached for the config directory, the engine or the AWS session would be choosing again.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const COMMANDS = join(process.cwd(), 'cli', 'commands');

/** What only a backend may use. */
const BACKEND_ONLY = [/cloudTargetFromFlags/, /configDirFrom/, /makeEngine/, /FilesystemCertificateStore/, /openCloudSession/, /from '\.\.\/cloud\/index\.js'/, /from '\.\.\/backend\/(local|cloud)-backend\.js'/];

describe('cli/commands', () => {
  it('has verbs that use neither the config directory, the engine nor the stack directly', async () => {
    const files = (await readdir(COMMANDS)).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(['certonly.ts', 'renew.ts', 'revoke.ts', 'certificates.ts', 'register.ts']));
    const offences: string[] = [];
    for (const file of files) {
      const text = await readFile(join(COMMANDS, file), 'utf8');
      for (const pattern of BACKEND_ONLY) if (pattern.test(text)) offences.push(`${file}: ${pattern.source}`);
    }
    expect(offences).toEqual([]);
  });
});
