import { emailContacts } from '../account.js';
import type { RegisterOutcome } from '../backend/backend.js';
import { CA_OPTIONS, caFromFlags, eabFromFlags } from '../ca-flags.js';
import type { Output } from '../output.js';
import { printOfferedProfiles } from './offered-profiles.js';
import { UsageError } from '../usage-error.js';
import type { Verb } from './verb.js';

export const REGISTER_HELP = `Usage: acmeflow register (--server URL | --ca PRESET) -m EMAIL --agree-tos [--eab-kid KID --eab-hmac-key KEY]

Registers an ACME account with the CA and keeps its key in the config directory (mode 0600).
`;

/** `acmeflow register`, as the operator manual's `certbot register`. It has no cloud mode: the stack registers its own account. */
export const register: Verb<typeof CA_OPTIONS> = {
  name: 'register',
  help: REGISTER_HELP,
  options: CA_OPTIONS,
  localOnly: {},
  async run(values, backend, cmd) {
    const ca = caFromFlags(values);
    emailContacts(values.email);
    const eab = eabFromFlags(values);
    if (!values['agree-tos']) throw new UsageError("Registering requires agreeing to the CA's terms of service: add --agree-tos (read them first).");
    if (ca.preset?.externalAccountRequired && !eab) {
      throw new UsageError(`${ca.preset.name} requires External Account Binding: add --eab-kid and --eab-hmac-key from the CA's portal.`);
    }
    const outcome = await backend.register({ directoryUrl: ca.directoryUrl, ...(values.email ? { email: values.email } : {}), ...(eab ? { eab } : {}) });
    return printRegisterOutcome(cmd.out, outcome, { json: values.json ?? false });
  },
};

/** certbot refuses a second account with the same CA (exit 1). */
export function printRegisterOutcome(out: Output, outcome: RegisterOutcome, options: { readonly json: boolean }): number {
  if (!outcome.created) {
    if (options.json) out.json({ registered: false, accountUrl: outcome.accountUrl, directoryUrl: outcome.directoryUrl, profiles: outcome.profiles ?? {} });
    out.error(`There is an existing account with ${outcome.directoryUrl} (${outcome.accountUrl}); registration of a duplicate account is not allowed.`);
    return 1;
  }
  if (options.json) out.json({ registered: true, accountUrl: outcome.accountUrl, directoryUrl: outcome.directoryUrl, profiles: outcome.profiles ?? {} });
  else {
    out.line('Account registered.');
    printOfferedProfiles(out, outcome.profiles);
  }
  return 0;
}
