import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFINITION_NAMES, DEFINITION_PLACEHOLDERS, definitionFile, formatDefinition, renderDefinitions, type RenderedDefinitions } from '../../infra/state-machines/render-definitions.js';
import { EXAMPLE_SWEEP_CONCURRENCY } from '../support/definitions-from-builders.js';
import { issuanceDefinition, LAMBDA_STEPS, revocationDefinition, sweepDefinition, type LambdaStep } from '../../shared/workflow/machines/index.js';

let rendered: RenderedDefinitions;
beforeAll(() => {
  rendered = renderDefinitions();
});

describe('rendered definitions', () => {
  it('resolves every CloudFormation token to a placeholder', () => {
    for (const name of DEFINITION_NAMES) {
      expect(rendered[name], name).not.toMatch(/Fn::|"Ref"|\$\{Token/);
      expect(() => JSON.parse(rendered[name])).not.toThrow();
    }
    const issuance = JSON.parse(rendered.issuance) as { States: Record<string, { Resource?: string }> };
    expect(issuance.States.PrepareOrder?.Resource).toBe(DEFINITION_PLACEHOLDERS.lambdaArn(LAMBDA_STEPS.PrepareOrder));
    expect(issuance.States.CleanupAfterFailure?.Resource).toBe(DEFINITION_PLACEHOLDERS.lambdaArn(LAMBDA_STEPS.CleanupRecords));
    const sweep = JSON.parse(rendered.sweep) as { States: Record<string, any> };
    expect(sweep.States.RenewDue.ItemProcessor.States.Issue.Parameters.StateMachineArn).toBe(DEFINITION_PLACEHOLDERS.issuanceStateMachineArn);
    expect(sweep.States.RenewDue.ItemReader.Parameters.Bucket).toBe(DEFINITION_PLACEHOLDERS.bucketName);
    expect(sweep.States.RenewDue.ResultWriter.Parameters.Bucket).toBe(DEFINITION_PLACEHOLDERS.bucketName);
  });

  it('matches the committed shared/workflow/machines/asl/*.asl.json (run "npm run definitions" after changing a definition)', () => {
    for (const name of DEFINITION_NAMES) {
      expect(readFileSync(definitionFile(name), 'utf8'), name).toBe(formatDefinition(rendered[name]));
    }
  });

  it('deploys exactly the documents of shared/workflow/machines (CDK changes nothing but the tokens)', () => {
    const resourceFor = (step: LambdaStep) => DEFINITION_PLACEHOLDERS.lambdaArn(LAMBDA_STEPS[step]);
    expect(JSON.parse(rendered.issuance)).toEqual(issuanceDefinition(resourceFor));
    expect(JSON.parse(rendered.revocation)).toEqual(revocationDefinition(resourceFor));
    expect(JSON.parse(rendered.sweep)).toEqual(
      sweepDefinition({
        resourceFor,
        issuanceStateMachineArn: DEFINITION_PLACEHOLDERS.issuanceStateMachineArn,
        bucketName: DEFINITION_PLACEHOLDERS.bucketName,
        maxConcurrency: EXAMPLE_SWEEP_CONCURRENCY,
      }),
    );
  });
});
