import type { AccountOutcome, AccountRequest, Backend } from '../backend/backend.js';
import { CA_OPTIONS, caFromFlags } from '../ca-flags.js';
import { emailContacts } from '../account.js';
import type { Output } from '../output.js';
import { printOfferedProfiles } from './offered-profiles.js';
import { UsageError } from '../usage-error.js';
import type { Verb, VerbValues } from './verb.js';

const OPTIONS = { server: CA_OPTIONS.server, ca: CA_OPTIONS.ca, email: CA_OPTIONS.email, staging: CA_OPTIONS.staging, 'test-cert': CA_OPTIONS['test-cert'] } as const;

const help = (verb: string, what: string) => `Usage: acmeflow ${verb} [--server URL | --ca PRESET]${verb === 'update_account' ? ' -m EMAIL' : ''}

${what} The account is acmeflow's for that CA, else certbot's in the same config directory.
`;

async function act(values: VerbValues<typeof OPTIONS>, backend: Backend, action: AccountRequest['action']): Promise<AccountOutcome> {
  if (!backend.account) throw new UsageError('The account verbs act on this machine\u2019s config directory only.');
  const { directoryUrl } = caFromFlags(values);
  const contact = action === 'update' ? emailContacts(values.email).map((e) => `mailto:${e}`) : undefined;
  if (action === 'update' && contact?.length === 0) throw new UsageError('update_account: give the new contact with -m EMAIL.');
  return backend.account({ action, directoryUrl, ...(contact ? { contact } : {}) });
}

function printAccount(out: Output, outcome: AccountOutcome, json: boolean): void {
  if (json) {
    out.json(outcome);
    return;
  }
  out.line(`Account details for server ${outcome.directoryUrl}:`);
  out.line(`  Account URL: ${outcome.accountUrl}`);
  out.line(`  Account Thumbprint: ${outcome.thumbprint}`);
  out.line(outcome.contact.length === 0 ? '  Email contacts: none' : `  Email contact: ${outcome.contact.map((c) => c.replace(/^mailto:/, '')).join(', ')}`);
  printOfferedProfiles(out, outcome.profiles, { indent: '  ', none: 'The CA lists no certificate profiles.' });
}

/** certbot's `show_account`. */
export const showAccount: Verb<typeof OPTIONS> = {
  name: 'show_account',
  help: help(
    'show_account',
    'Shows the account registered with the CA: its URL, key thumbprint and contacts, and the certificate profiles the CA offers (--json: `profiles`, name → description).',
  ),
  options: OPTIONS,
  localOnly: {},
  async run(values, backend, cmd) {
    printAccount(cmd.out, await act(values, backend, 'show'), values.json ?? false);
    return 0;
  },
};

/** certbot's `update_account -m EMAIL` (RFC 8555 §7.3.2). */
export const updateAccount: Verb<typeof OPTIONS> = {
  name: 'update_account',
  help: help('update_account', "Replaces the account's contact e-mail addresses (RFC 8555 §7.3.2)."),
  options: OPTIONS,
  localOnly: {},
  async run(values, backend, cmd) {
    const outcome = await act(values, backend, 'update');
    if (values.json) cmd.out.json(outcome);
    else cmd.out.line(`Your e-mail address was updated to ${outcome.contact.map((c) => c.replace(/^mailto:/, '')).join(',')}.`);
    return 0;
  },
};

/** certbot's `unregister`: deactivates the account (RFC 8555 §7.3.6); it can never be used again. */
export const unregister: Verb<typeof OPTIONS> = {
  name: 'unregister',
  help: help('unregister', 'Deactivates the account at the CA (RFC 8555 §7.3.6): it can no longer order or revoke. There is no undo.'),
  options: OPTIONS,
  localOnly: {},
  async run(values, backend, cmd) {
    const outcome = await act(values, backend, 'deactivate');
    if (values.json) cmd.out.json(outcome);
    else cmd.out.line('Account deactivated.');
    return 0;
  },
};
