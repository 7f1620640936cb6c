import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { route53Manifest } from '../../shared/dns/providers/route53/manifest.js';
import type { Route53Access } from '../lineages/resolve-lineages.js';

/** Sid of the statement with the actions Route 53 authorizes only on `*`. */
export const FIND_HOSTED_ZONES_SID = 'FindHostedZones';
/** Sid of the statement that polls changes (`route53:GetChange`), the only one a `read` level gets. */
export const POLL_CHANGES_SID = 'PollChanges';

function sidSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '');
}

/**
 * The Route 53 statements of the DNS steps, from the provider manifest's policy template (one source
 * of truth with the CLI's `permissions` text): per provider configuration, `ChangeResourceRecordSets`
 * on its zones only, for TXT records named `_acme-challenge.*` (or its delegation targets) only, by
 * UPSERT or DELETE only; `ListResourceRecordSets` on the same zones; `GetChange` on changes. The
 * zone-lookup statement (`ListHostedZonesByName`, authorized only on `*`) is added only when some
 * configuration looks its zone up by name, and then without `ListHostedZones`, which the provider never calls.
 *
 * `level: 'read'` (CheckPropagation) keeps only `GetChange`: the propagation check asks a change's
 * status and the nameservers (over DNS), and must not be able to change or enumerate a record.
 *
 * @example
 * ```ts
 * route53Statements([{ provider: 'main', hostedZoneIds: ['Z0123'], recordNames: ['_acme-challenge.*'], zoneLookup: false }], stack.partition);
 * ```
 */
export function route53Statements(access: readonly Route53Access[], partition: string, level: 'read' | 'write' = 'write'): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  let pollChanges: PolicyStatement | undefined;
  let zoneLookup = false;
  for (const entry of access) {
    const document = route53Manifest.iamPolicy!({ hostedZoneIds: entry.hostedZoneIds, recordNames: entry.recordNames, partition });
    for (const statement of document.Statement) {
      if (statement.Sid === FIND_HOSTED_ZONES_SID) {
        zoneLookup ||= entry.zoneLookup;
        continue;
      }
      const json = {
        ...statement,
        Action: [...statement.Action],
        Resource: [...statement.Resource],
        ...(statement.Condition ? { Condition: JSON.parse(JSON.stringify(statement.Condition)) as Record<string, unknown> } : {}),
      };
      if (statement.Sid === POLL_CHANGES_SID) {
        pollChanges ??= PolicyStatement.fromJson(json);
        continue;
      }
      if (level === 'read') continue;
      statements.push(PolicyStatement.fromJson({ ...json, Sid: `${statement.Sid ?? 'Route53'}${sidSafe(entry.provider)}` }));
    }
  }
  if (pollChanges) statements.push(pollChanges);
  if (zoneLookup && level === 'write') {
    statements.push(PolicyStatement.fromJson({ Sid: FIND_HOSTED_ZONES_SID, Effect: 'Allow', Action: ['route53:ListHostedZonesByName'], Resource: ['*'] }));
  }
  return statements;
}
