import type { ChangeRef, DnsProvider, TxtRecord } from '../../provider.js';
import type { Route53Config } from './config.js';
import { Route53ConfigError } from './errors.js';
import type { Route53DnsProvider, Route53DnsProviderDeps } from './route53.js';

/**
 * A {@link Route53DnsProvider} built on first use. The Route 53 and STS clients take about 100 ms to
 * load; the registry hands this out so a process that never touches Route 53 (the `acmeflow`
 * command with `--dns rfc2136`, a Lambda whose step has no DNS work) never loads them. The checks
 * the constructor makes without I/O are made here at once, so a bad combination still fails when
 * the provider is created, not at its first record.
 */
export function lazyRoute53Provider(config: Route53Config, deps: Route53DnsProviderDeps = {}): DnsProvider {
  if (config.roleArn !== undefined && deps.client !== undefined) {
    throw new Route53ConfigError(
      `roleArn ${config.roleArn} cannot be applied to a Route 53 client built elsewhere`,
      'pass clientConfig instead of client, so the provider builds the client with the assumed role\'s credentials',
    );
  }
  let provider: Promise<Route53DnsProvider> | undefined;
  const load = () => (provider ??= import('./route53.js').then(({ Route53DnsProvider }) => new Route53DnsProvider(config, deps)));
  return {
    code: 'route53',
    upsertTxt: async (record: TxtRecord) => (await load()).upsertTxt(record),
    deleteTxt: async (record: TxtRecord) => (await load()).deleteTxt(record),
    changeStatus: async (ref: ChangeRef) => (await load()).changeStatus(ref),
  };
}
