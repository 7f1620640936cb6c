/**
 * Preloaded into the acmeflow processes of the benchmark (`node --import`) so their DNS stays on
 * loopback: every c-ares resolver that was not given servers explicitly asks the benchmark's BIND
 * (`ACMEFLOW_BENCH_DNS`, `host:port`) instead of the system's resolvers.
 *
 * Why: PrepareOrder follows CNAME delegations of `_acme-challenge.<name>` with a node:dns Resolver on
 * the system's servers, and the CLI has no flag for that resolver (`--dns-resolver` covers the
 * propagation check only). lego, run with `--dns.resolvers`, asks BIND for the same lookups, so
 * this keeps the comparison even as well as the traffic local. Importing the module into a
 * process (the in-process runs) does the same there.
 */
import dns from 'node:dns';
import dnsPromises from 'node:dns/promises';

const server = process.env.ACMEFLOW_BENCH_DNS;
if (server) {
  for (const { Resolver } of [dns, dnsPromises]) {
    const proto = Resolver.prototype;
    const setServers = proto.setServers;
    proto.setServers = function pinned(servers) {
      this.__benchPinned = true;
      return setServers.call(this, servers);
    };
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!name.startsWith('resolve') && name !== 'reverse') continue;
      const original = proto[name];
      proto[name] = function loopbackOnly(...args) {
        if (!this.__benchPinned) this.setServers([server]);
        return original.apply(this, args);
      };
    }
  }
  dns.setServers([server]);
}
