/**
 * acmeflow as people install it (`npm install acmeflow aws-cdk-lib constructs`): one issuer, two
 * certificates from Let's Encrypt over Route 53 DNS-01, each imported into ACM by the shipped deploy
 * hook — `www.example.com` in us-east-1 for a CloudFront distribution, `api.example.com` in the
 * stack's region for an ALB's HTTPS listener. Renewals re-import under the same ARN, so neither the
 * distribution nor the listener changes.
 */
import { App, Stack, type StackProps } from 'aws-cdk-lib';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { ApplicationLoadBalancer, ApplicationProtocol, ListenerAction } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AcmeIssuer } from 'acmeflow';
import type { Construct } from 'constructs';

/** The Route 53 hosted zone of example.com (the functions may change only its `_acme-challenge` TXT records). */
const HOSTED_ZONE_ID = 'Z0123456789EXAMPLE';

export class WebStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const issuer = new AcmeIssuer(this, 'Issuer', {
      caAccounts: { le: { preset: 'letsencrypt', contact: ['hostmaster@example.com'], termsOfServiceAgreed: true } },
      dnsProviders: { route53: { provider: 'route53', hostedZoneIds: [HOSTED_ZONE_ID] } },
      certificates: [
        { name: 'www', domains: ['www.example.com'], keyType: 'ecdsa-p256', ca: 'le', dns: 'route53' },
        { name: 'api', domains: ['api.example.com'], keyType: 'ecdsa-p256', ca: 'le', dns: 'route53' },
      ],
      // Each lineage imported into ACM where it is served: CloudFront reads certificates from
      // us-east-1 only; the ALB reads them from its own region (a target without `region`).
      deployHooks: { acmImport: { targets: [{ region: 'us-east-1', lineages: ['www'] }, { lineages: ['api'] }] } },
    });

    // CloudFront: the certificate in us-east-1. `issuer.certificate` is ready on the first deploy
    // (the deploy waits for the first issuance and import), and renewals keep its ARN.
    new Distribution(this, 'Cdn', {
      defaultBehavior: { origin: new HttpOrigin('origin.example.com') },
      domainNames: ['www.example.com'],
      certificate: issuer.certificate('www'),
    });

    // An ALB in this stack's region: the certificate in this region.
    const vpc = new Vpc(this, 'Vpc', {
      availabilityZones: [`${this.region}a`, `${this.region}b`],
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC }],
    });
    const alb = new ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: true });
    alb.addListener('Https', {
      protocol: ApplicationProtocol.HTTPS,
      certificates: [issuer.certificate('api')],
      defaultAction: ListenerAction.fixedResponse(200, { contentType: 'text/plain', messageBody: 'ok' }),
    });
  }
}

const app = new App();
// Your account and region (an ALB needs a concrete region for its subnets' zones).
new WebStack(app, 'AcmeflowExample', { env: { account: String(app.node.tryGetContext('account') ?? '123456789012'), region: String(app.node.tryGetContext('region') ?? 'eu-west-1') } });
app.synth();
