import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ACM_ISSUER_TAG, ACM_LINEAGE_TAG } from '../../../shared/store/acm/acm-tags.js';

export interface AcmImportStatementsProps {
  /** The `acmeflow:issuer` tag value of the issuer (`issuer.acmImportHook.issuerTag`). */
  readonly issuerTag: string;
  /** The ACM region. */
  readonly region: string;
  /** The account the certificates are in. */
  readonly account: string;
  /** Only these lineages (`acmeflow:lineage`). @default any lineage of the issuer */
  readonly lineages?: readonly string[];
  /** @default the stack's partition */
  readonly partition?: string;
}

/**
 * What an ACM import needs, scoped by tags, in one region of one account: the hook's own role gets
 * these for its own account, and a role in another account (a target's `roleArn`) needs the same.
 *
 * - Re-import and describe only certificates tagged `acmeflow:issuer=<issuerTag>` (and, when
 *   `lineages` is given, `acmeflow:lineage` one of them): `aws:ResourceTag`.
 * - Create only with those tags and no other tag key: `aws:RequestTag`, `aws:TagKeys`.
 * - No `acm:ListCertificates` and no `acm:AddTagsToCertificate`: the ARN comes from the lineage state,
 *   and a role allowed to tag could tag someone else's certificate as its own, then overwrite it.
 *
 * @example
 * ```ts
 * // In the stack of the other account:
 * const role = new Role(this, 'AcmeflowAcm', { assumedBy: new ArnPrincipal('arn:aws:iam::111111111111:role/acmeflow-acm-hook') });
 * for (const s of acmImportStatements({ issuerTag: 'eu-west-1/ProdIssuer1A2B3C4D', region: 'us-east-1', account: this.account })) role.addToPolicy(s);
 * ```
 */
export function acmImportStatements(props: AcmImportStatementsProps): PolicyStatement[] {
  const partition = props.partition ?? Aws.PARTITION;
  const resources = [`arn:${partition}:acm:${props.region}:${props.account}:certificate/*`];
  const lineages = props.lineages === undefined ? {} : { [`aws:ResourceTag/${ACM_LINEAGE_TAG}`]: [...props.lineages] };
  const requestLineages = props.lineages === undefined ? {} : { [`aws:RequestTag/${ACM_LINEAGE_TAG}`]: [...props.lineages] };
  return [
    new PolicyStatement({
      actions: ['acm:ImportCertificate', 'acm:DescribeCertificate'],
      resources,
      conditions: { StringEquals: { [`aws:ResourceTag/${ACM_ISSUER_TAG}`]: props.issuerTag, ...lineages } },
    }),
    new PolicyStatement({
      actions: ['acm:ImportCertificate'],
      resources,
      conditions: {
        StringEquals: { [`aws:RequestTag/${ACM_ISSUER_TAG}`]: props.issuerTag, ...requestLineages },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [ACM_ISSUER_TAG, ACM_LINEAGE_TAG] },
      },
    }),
  ];
}
