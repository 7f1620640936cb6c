/**
 * FALLBACK, to be replaced by `issuer.certificate(name)`.
 *
 * The certificate handle (`issuer.certificate(name)` → the lineage's ACM certificate as an
 * `ICertificate`, ready on the first `cdk deploy`) is the construct's API for this; where the
 * installed acmeflow has it, it is used. Where it does not, the handle is the ARN the ACM deploy hook
 * imported the certificate under, given as context after the first deploy
 * (`cdk deploy -c cdnCertificateArn=arn:aws:acm:us-east-1:…`), with a placeholder for synth.
 */
import type { Stack } from 'aws-cdk-lib';
import { Certificate, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { AcmeIssuer } from 'acmeflow';

/** The handle API's shape (infra/acme-issuer.ts, `AcmeIssuer.certificate`). */
interface WithCertificateHandles {
  certificate(name: string): ICertificate;
}

export function certificateHandle(stack: Stack, issuer: AcmeIssuer, name: string, contextKey: string, region: string): ICertificate {
  const handles = issuer as unknown as Partial<WithCertificateHandles>;
  if (typeof handles.certificate === 'function') return handles.certificate(name);
  const arn = (stack.node.tryGetContext(contextKey) as string | undefined) ?? `arn:aws:acm:${region}:${stack.account}:certificate/00000000-0000-0000-0000-000000000000`;
  return Certificate.fromCertificateArn(stack, `${name}Certificate`, arn);
}
