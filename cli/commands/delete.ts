import { UsageError } from '../usage-error.js';
import { certNameFromFlag } from '../cert-name.js';
import type { Verb } from './verb.js';

export const DELETE_HELP = `Usage: acmeflow delete --cert-name NAME [--config-dir DIR]

Deletes a certificate's lineage as certbot delete does: renewal/NAME.conf, live/NAME/ and archive/NAME/.
The certificate is not revoked (acmeflow revoke does that); servers reading live/NAME/ lose their files.
`;

const OPTIONS = { 'cert-name': { type: 'string', multiple: true } } as const;

/** `acmeflow delete --cert-name NAME` (certbot asks which one without it; a command cannot ask). */
export const deleteVerb: Verb<typeof OPTIONS> = {
  name: 'delete',
  help: DELETE_HELP,
  options: OPTIONS,
  localOnly: {},
  async run(values, backend, cmd) {
    const names = (values['cert-name'] ?? []).map(certNameFromFlag);
    if (names.length === 0) throw new UsageError('Name the certificate to delete with --cert-name NAME (see "acmeflow certificates").');
    if (!backend.deleteLineage) throw new UsageError('delete acts on this machine\u2019s config directory only.');
    for (const name of names) {
      await backend.deleteLineage(name);
      cmd.out.line(`Deleted all files relating to certificate ${name}.`);
    }
    return 0;
  },
};
