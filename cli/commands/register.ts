import { registerAccount, emailContacts } from '../account.js';
import { parseVerbArgs } from '../args.js';
import { CA_OPTIONS, caFromFlags, eabFromFlags } from '../ca-flags.js';
import { configDirFrom } from '../config-dir.js';
import type { CommandContext } from '../engine-runner.js';
import { UsageError } from '../usage-error.js';

export const REGISTER_HELP = `Usage: acmeflow register (--server URL | --ca PRESET) -m EMAIL --agree-tos [--eab-kid KID --eab-hmac-key KEY]

Registers an ACME account with the CA and keeps its key in the config directory (mode 0600).
`;

/** `acmeflow register`, as the operator manual's `certbot register`. */
export async function register(argv: readonly string[], cmd: CommandContext): Promise<number> {
  const { values } = parseVerbArgs('register', argv, CA_OPTIONS);
  if (values.help) {
    cmd.out.line(REGISTER_HELP);
    return 0;
  }
  const configDir = configDirFrom(values['config-dir'], cmd.env);
  const ca = caFromFlags(values);
  emailContacts(values.email);
  const eab = eabFromFlags(values);
  if (!values['agree-tos']) throw new UsageError("Registering requires agreeing to the CA's terms of service: add --agree-tos (read them first).");
  if (ca.preset?.externalAccountRequired && !eab) {
    throw new UsageError(`${ca.preset.name} requires External Account Binding: add --eab-kid and --eab-hmac-key from the CA's portal.`);
  }
  const result = await registerAccount(
    configDir,
    { directoryUrl: ca.directoryUrl, email: values.email, agreeTos: true, eab },
    cmd.log,
    cmd.fetch,
  );
  if (!result.created) {
    cmd.out.error(`There is an existing account with ${ca.directoryUrl} (${result.url}); registration of a duplicate account is not allowed.`);
    return 1;
  }
  if (values.json) cmd.out.json({ registered: true, accountUrl: result.url, directoryUrl: ca.directoryUrl });
  else cmd.out.line('Account registered.');
  return 0;
}
