/**
 * The tags acmeflow puts on every certificate it imports into ACM. The ACM hook's IAM policy lets
 * it re-import only over certificates that carry both (`aws:ResourceTag/...`) and create only
 * certificates that carry them (`aws:RequestTag/...`), so a hook cannot overwrite a certificate it
 * did not create, whatever ARN reaches it.
 */

/** Its value names the issuer (one `AcmeIssuer`, or one local installation) that imported the certificate. */
export const ACM_ISSUER_TAG = 'acmeflow:issuer';
/** Its value is the lineage name. */
export const ACM_LINEAGE_TAG = 'acmeflow:lineage';

/** The tags of a new import: the lineage's, and the issuer's when one is named. */
export function acmImportTags(lineage: string, issuerTag: string | undefined): { Key: string; Value: string }[] {
  return [{ Key: ACM_LINEAGE_TAG, Value: lineage }, ...(issuerTag === undefined ? [] : [{ Key: ACM_ISSUER_TAG, Value: issuerTag }])];
}
