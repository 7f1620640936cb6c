import type { IamPolicyDocument, IamPolicyScope } from '../manifest.js';

/**
 * The least-privilege IAM policy the Route 53 provider needs: change only TXT record sets named
 * like `_acme-challenge.*`, only by UPSERT or DELETE, in the given hosted zones; read those zones'
 * record sets; poll changes; and list zones by name (an action IAM cannot scope to a resource).
 * Attach it to the Lambda role, or to the role named by `roleArn` in the zone's account.
 *
 * @example
 * ```ts
 * route53IamPolicy({ hostedZoneIds: ['Z0123456789ABCDEFGHIJ'] });
 * // { Version: '2012-10-17', Statement: [{ Sid: 'ChangeAcmeChallengeTxt', Action: ['route53:ChangeResourceRecordSets'],
 * //   Resource: ['arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ'], Condition: { ... } }, ...] }
 * ```
 */
export function route53IamPolicy(scope: IamPolicyScope = {}): IamPolicyDocument {
  const partition = scope.partition ?? 'aws';
  const zones = (scope.hostedZoneIds ?? ['*']).map((id) => `arn:${partition}:route53:::hostedzone/${id.replace(/^\/hostedzone\//, '')}`);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ChangeAcmeChallengeTxt',
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets'],
        Resource: zones,
        Condition: {
          'ForAllValues:StringLike': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': scope.recordNames ?? ['_acme-challenge.*'],
          },
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
            'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
          },
        },
      },
      { Sid: 'ReadChallengeZones', Effect: 'Allow', Action: ['route53:ListResourceRecordSets'], Resource: zones },
      { Sid: 'PollChanges', Effect: 'Allow', Action: ['route53:GetChange'], Resource: [`arn:${partition}:route53:::change/*`] },
      {
        // Route 53 authorizes these two only on "*".
        Sid: 'FindHostedZones',
        Effect: 'Allow',
        Action: ['route53:ListHostedZones', 'route53:ListHostedZonesByName'],
        Resource: ['*'],
      },
    ],
  };
}
