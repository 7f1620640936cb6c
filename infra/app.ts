/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`): builds the example stack from a config file,
 * `infra/config/example.json` unless `-c acmeflow:config=path/to/config.json` says otherwise, and
 * runs cdk-nag's AwsSolutions checks on it (findings print during `cdk synth`).
 */
import 'reflect-metadata';
import path from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AcmeflowStack } from './acmeflow-stack.js';
import { DEFAULT_CONFIG_FILE, loadIssuerConfig } from './config/issuer-config.js';
import { PROJECT_ROOT } from './lambda/acmeflow-function.js';

const app = new App();
const configFile = path.resolve(PROJECT_ROOT, String(app.node.tryGetContext('acmeflow:config') ?? DEFAULT_CONFIG_FILE));
const { stackName, props } = loadIssuerConfig(configFile);
new AcmeflowStack(app, stackName, { issuer: props });
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
