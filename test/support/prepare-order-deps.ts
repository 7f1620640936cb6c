import { createAcmeContext, type HttpTransport } from '../../shared/acme/index.js';
import { MemoryEventPublisher } from '../../shared/events/index.js';
import { FilesystemCertificateStore, FilesystemKeyStore, FilesystemLineageLock } from '../../shared/store/filesystem/index.js';
import type { Logger, WorkflowDeps } from '../../shared/workflow/index.js';

/**
 * WorkflowDeps for driving prepareOrder alone against a CA reached through `transport`: certbot's
 * layout under `configDir`, and every dependency prepareOrder must not touch (DNS, EAB) throwing.
 */
export function prepareOrderDeps(configDir: string, transport: HttpTransport, log: Logger): WorkflowDeps {
  return {
    store: new FilesystemCertificateStore({ configDir }),
    keys: new FilesystemKeyStore({ configDir }),
    lock: new FilesystemLineageLock({ configDir }),
    events: new MemoryEventPublisher(),
    acme: (directoryUrl) => createAcmeContext({ directoryUrl, transport }),
    dnsProvider: async () => {
      throw new Error('prepareOrder publishes nothing');
    },
    resolveEab: async () => {
      throw new Error('no EAB here');
    },
    checkPropagation: async () => ({ ready: true, missing: [], checkedServers: [] }),
    cnameResolver: { resolveCname: async () => [] },
    locate: (l) => ({ location: l, keyLocation: l }),
    log,
    now: () => new Date(),
    random: () => 0.5,
  };
}
