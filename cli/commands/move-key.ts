import { KEY_STORES, type KeyStoreKind } from '../../shared/config/key-stores.js';
import type { MoveKeyOutcome, MoveKeyRequest } from '../backend/backend.js';
import { CLOUD_OPTIONS } from '../cloud/cloud-flags.js';
import { certNameFromFlag } from '../cert-name.js';
import type { Output } from '../output.js';
import { UsageError } from '../usage-error.js';
import type { Verb, VerbValues } from './verb.js';

export const MOVE_KEY_HELP = `Usage: acmeflow move-key --cert-name NAME --to s3|secretsManager --stack NAME [--region R]

Moves a lineage's certificate key between the stack's two key stores without a new certificate: the
current key (and, from S3, the version before it) is copied into the other store and read back, then
the lineage is switched to it in one write. The old copy stays until a later certificate version was
delivered (Certificate Deployable); the issuance after that removes it. Running it again is safe.
For a certificate the construct manages, change its keyStore prop as well, or the next deploy moves it back.
`;

const OPTIONS = {
  'cert-name': { type: 'string' },
  to: { type: 'string' },
  stack: CLOUD_OPTIONS.stack,
  region: CLOUD_OPTIONS.region,
} as const;

/** `acmeflow move-key`: flags → request here, one backend call, the outcome printed. */
export const moveKey: Verb<typeof OPTIONS> = {
  name: 'move-key',
  help: MOVE_KEY_HELP,
  options: OPTIONS,
  localOnly: {},
  async run(values, backend, cmd) {
    const request = moveKeyRequest(values);
    if (!values.stack || !backend.moveKey) throw new UsageError('move-key acts on a deployed stack\u2019s key stores: add --stack NAME (keys on this machine are files).');
    const outcome = await backend.moveKey(request);
    printMoveKeyOutcome(cmd.out, outcome, values.json ?? false);
    return 0;
  },
};

/** The request from the flags, every check offline. */
export function moveKeyRequest(values: Pick<VerbValues<typeof OPTIONS>, 'cert-name' | 'to'>): MoveKeyRequest {
  if (!values['cert-name']) throw new UsageError('move-key: name the certificate with --cert-name NAME.');
  const to = values.to;
  if (!isKeyStore(to)) throw new UsageError(`move-key: --to must be one of ${KEY_STORES.join(', ')}.`);
  return { name: certNameFromFlag(values['cert-name']), to };
}

function isKeyStore(value: string | undefined): value is KeyStoreKind {
  return (KEY_STORES as readonly (string | undefined)[]).includes(value);
}

export function printMoveKeyOutcome(out: Output, outcome: MoveKeyOutcome, json: boolean): void {
  if (json) {
    out.json(outcome);
    return;
  }
  if (!outcome.moved) {
    out.line(`${outcome.lineage} keeps its key in ${outcome.to} already; nothing moved.`);
    return;
  }
  const versions = outcome.copiedVersions.length === 0 ? 'no certificate yet, nothing to copy' : `versions ${outcome.copiedVersions.join(', ')} copied`;
  out.line(`${outcome.lineage} now keeps its key in ${outcome.to} (${versions}); the copy in ${outcome.from} is removed after the next certificate is delivered.`);
}
