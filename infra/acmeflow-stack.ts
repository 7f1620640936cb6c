import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AcmeIssuer } from './acme-issuer.js';
import type { AcmeIssuerProps } from './acme-issuer-props.js';

export interface AcmeflowStackProps extends StackProps {
  /** The issuer's props. */
  readonly issuer: AcmeIssuerProps;
}

/**
 * The example deployment: one stack holding one {@link AcmeIssuer}, tagged `acmeflow`. Environment-
 * agnostic unless `env` is given, so `cdk synth` needs no account, no credentials and no lookups.
 *
 * @example
 * ```ts
 * new AcmeflowStack(app, 'Acmeflow', { issuer: loadIssuerConfig('infra/config/example.json').props });
 * ```
 */
export class AcmeflowStack extends Stack {
  readonly issuer: AcmeIssuer;

  constructor(scope: Construct, id: string, props: AcmeflowStackProps) {
    super(scope, id, { description: 'acmeflow: serverless ACME (RFC 8555) certificate issuer', ...props });
    this.issuer = new AcmeIssuer(this, 'Issuer', props.issuer);
    Tags.of(this).add('acmeflow', 'issuer');
    // What `acmeflow --stack NAME` reads to find the bucket and the state machines (cli/cloud).
    const outputs: Record<string, string> = {
      AcmeflowBucketName: this.issuer.bucket.bucketName,
      AcmeflowIssuanceStateMachineArn: this.issuer.issuanceStateMachine.stateMachineArn,
      AcmeflowSweepStateMachineArn: this.issuer.sweepStateMachine.stateMachineArn,
      AcmeflowRevocationStateMachineArn: this.issuer.revocationStateMachine.stateMachineArn,
      AcmeflowKmsKeyArn: this.issuer.key.keyArn,
      AcmeflowSecretPrefix: this.issuer.secretPrefix,
    };
    for (const [key, value] of Object.entries(outputs)) new CfnOutput(this, key, { key, value });
  }
}
