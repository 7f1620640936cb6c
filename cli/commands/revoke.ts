import { readFile } from 'node:fs/promises';
import { REVOCATION_REASONS, type RevocationReason } from '../../shared/acme/index.js';
import { parseCertificate } from '../../shared/crypto/index.js';
import type { RevokeOutcome, RevokeRequest } from '../backend/backend.js';
import { CLOUD_HELP, CLOUD_OPTIONS, LOCAL_ONLY_FIXES } from '../cloud/cloud-flags.js';
import type { Output } from '../output.js';
import { UsageError } from '../usage-error.js';
import { hookFailuresJson, printHookFailures } from './print-hook-failures.js';
import { printFailure } from './print-failure.js';
import type { Verb, VerbValues } from './verb.js';
import { certNameFromFlag } from '../cert-name.js';

export const REVOKE_HELP = `Usage: acmeflow revoke (--cert-path PATH | --cert-name NAME) [--reason REASON] [--server URL]

Revokes a certificate (RFC 8555 §7.6) with the account key, or its own key when the account may not.
Reasons: unspecified, keycompromise, affiliationchanged, superseded, cessationofoperation.

${CLOUD_HELP}
  With --stack the stack's revocation is started for --cert-name NAME (a lineage in its bucket), or for
  the certificate file --cert-path PATH (read here and sent to the stack; its lineage found by path or serial).
`;

const OPTIONS = {
  'cert-path': { type: 'string' },
  'cert-name': { type: 'string' },
  reason: { type: 'string' },
  server: { type: 'string' },
  ...CLOUD_OPTIONS,
} as const;

const REASONS: Record<string, RevocationReason> = Object.fromEntries(
  (Object.keys(REVOCATION_REASONS) as RevocationReason[]).map((r) => [r.toLowerCase(), r]),
);

/** `acmeflow revoke`, as the operator manual's `certbot revoke --cert-path live/<name>/cert.pem`. */
export const revoke: Verb<typeof OPTIONS> = {
  name: 'revoke',
  help: REVOKE_HELP,
  options: OPTIONS,
  localOnly: { 'config-dir': LOCAL_ONLY_FIXES['config-dir'] },
  async run(values, backend, cmd) {
    const request = await revokeRequestFromFlags(values);
    return printRevokeOutcome(cmd.out, await backend.revoke(request), request);
  },
};

/**
 * revoke's flags as a request: the reason checked, the `--cert-path` file read and parsed here.
 * Which of `--cert-name`/`--cert-path` may go together is the backend's rule (in the stack, both:
 * the file's certificate under the named lineage).
 */
async function revokeRequestFromFlags(values: VerbValues<typeof OPTIONS>): Promise<RevokeRequest> {
  const reasonKey = (values.reason ?? 'unspecified').toLowerCase().replace(/[^a-z]/g, '');
  const reason = REASONS[reasonKey];
  if (!reason) throw new UsageError(`--reason ${values.reason}: use one of ${Object.keys(REASONS).join(', ')}.`);
  const path = values['cert-path'];
  let pem: string | undefined;
  if (path) {
    try {
      pem = await readFile(path, 'utf8');
      parseCertificate(pem);
    } catch (err) {
      throw new UsageError(`--cert-path ${path}: not a readable certificate (${(err as Error).message}).`);
    }
  }
  return {
    ...(values['cert-name'] ? { lineage: certNameFromFlag(values['cert-name']) } : {}),
    ...(path && pem ? { certificate: { path, pem } } : {}),
    reason,
    ...(values.server ? { server: values.server } : {}),
    json: values.json ?? false,
  };
}

/** certbot's confirmation, the execution started, or the failure; or one JSON document. */
export function printRevokeOutcome(out: Output, outcome: RevokeOutcome, options: { readonly json: boolean }): number {
  const { lineage } = outcome;
  switch (outcome.status) {
    case 'RUNNING': {
      const { execution } = outcome;
      if (options.json) out.json({ lineage, ...execution, status: outcome.status });
      else {
        out.line(`Revocation of ${outcome.location} started in stack ${execution.stack} (${execution.region}): ${execution.executionArn}`);
        out.line('Add --wait to follow it here.');
      }
      return 0;
    }
    case 'SUCCEEDED':
      if (options.json) out.json({ lineage, ...outcome.execution, status: outcome.status, serialHex: outcome.serialHex, reason: outcome.reason, ...hookFailuresJson(outcome.hookFailures) });
      else out.line(`Congratulations! You have successfully revoked the certificate that was located at ${outcome.location} (serial ${outcome.serialHex}, reason ${outcome.reason}).`);
      // Deploy-hooks owed by an earlier run ran at the end of this one.
      return printHookFailures(out, outcome.hookFailures);
    case 'FAILED': {
      const { error, execution } = outcome;
      if (options.json) out.json({ lineage, ...execution, error });
      else {
        out.error(`The revocation ${execution.executionName} ${execution.status === 'FAILED' ? 'failed' : `ended ${execution.status}`}: ${error.name}.`);
        printFailure(out, error);
      }
      return 1;
    }
  }
}
