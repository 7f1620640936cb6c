/**
 * The stack outputs the CLI's cloud mode (`acmeflow --stack NAME`) reads.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AcmeflowStack } from '../../infra/acmeflow-stack.js';
import { loadIssuerConfig } from '../../infra/config/issuer-config.js';

describe('stack outputs', () => {
  it('exports the bucket, the three state machines and the KMS key under fixed names', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new AcmeflowStack(app, 'Outputs', { issuer: loadIssuerConfig('infra/config/example.json').props });
    const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(
      expect.arrayContaining([
        'AcmeflowBucketName',
        'AcmeflowIssuanceStateMachineArn',
        'AcmeflowKmsKeyArn',
        'AcmeflowSecretPrefix',
        'AcmeflowRevocationStateMachineArn',
        'AcmeflowSweepStateMachineArn',
      ]),
    );
    expect(JSON.stringify(outputs.AcmeflowIssuanceStateMachineArn?.Value)).toMatch(/"Ref":"IssuerWorkflowsIssuance/);
  });
});
