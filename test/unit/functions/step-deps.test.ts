/**
 * The per-step deps factories (functions/<step>/aws-deps.ts): each builds exactly the adapters of its
 * step's STEP_ACCESS (the builders are spied on), makes no AWS call while building, and every other
 * adapter is a stub that throws a ConfigurationError naming the step and the access it lacks.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { STEP_ACCESS } from '../../../shared/workflow/machines/step-access.js';
import { LAMBDA_STEPS, type LambdaStep } from '../../../shared/workflow/machines/index.js';
import type { AdapterBuilder, AdapterName } from '../../../functions/runtime/adapters/adapter.js';
import { s3Store } from '../../../functions/runtime/adapters/s3.js';
import { awsDepsFromEnv } from '../../../functions/runtime/aws-deps.js';
import { ADAPTER_FIELDS, adaptersFor, composeDeps, stepAwsDeps, type StepDepsFactory } from '../../../functions/runtime/step-deps.js';
import { EventBridgePublisher } from '../../../shared/events/eventbridge/eventbridge-publisher.js';
import { S3CertificateStore } from '../../../shared/store/s3/s3-certificate-store.js';
import { S3LineageLock } from '../../../shared/store/s3/s3-lineage-lock.js';
import { S3SweepStore } from '../../../shared/store/s3/s3-sweep-store.js';
import { LineageRoutedKeyStore } from '../../../shared/store/lineage-routed-key-store.js';
import type { Logger, WorkflowDeps } from '../../../shared/workflow/deps.js';

// Every builder module is wrapped so that each build is recorded: which adapters a factory builds.
const { built, spy } = vi.hoisted(() => {
  const built: string[] = [];
  const spy = (mod: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(mod).map(([name, value]) => {
        const builder = value as { adapter?: string; build?: (ctx: unknown) => unknown };
        if (typeof builder?.build !== 'function' || typeof builder.adapter !== 'string') return [name, value];
        return [name, { ...builder, build: (ctx: unknown) => (built.push(builder.adapter!), builder.build!(ctx)) }];
      }),
    );
  return { built, spy };
});
vi.mock('../../../functions/runtime/adapters/s3.js', async (importOriginal) => spy(await importOriginal()));
vi.mock('../../../functions/runtime/adapters/secrets-manager.js', async (importOriginal) => spy(await importOriginal()));
vi.mock('../../../functions/runtime/adapters/keys.js', async (importOriginal) => spy(await importOriginal()));
vi.mock('../../../functions/runtime/adapters/dns.js', async (importOriginal) => spy(await importOriginal()));
vi.mock('../../../functions/runtime/adapters/eventbridge.js', async (importOriginal) => spy(await importOriginal()));
vi.mock('../../../functions/runtime/adapters/acm.js', async (importOriginal) => spy(await importOriginal()));

const s3 = mockClient(S3Client);
const sm = mockClient(SecretsManagerClient);
const eb = mockClient(EventBridgeClient);

const ENV = { ACMEFLOW_BUCKET: 'acmeflow-certs-123456789012', AWS_REGION: 'eu-west-1', ACMEFLOW_SECRET_PREFIX: 'team/acmeflow/' };
const credentials = { accessKeyId: 'AKIDUNIT', secretAccessKey: 'unit' };
const clientConfig = { s3: { credentials }, secretsManager: { credentials }, eventBridge: { credentials }, acm: { credentials } };
const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const ALL_ADAPTERS = Object.keys(ADAPTER_FIELDS).filter((a) => a !== 'targets') as AdapterName[];

async function factoryOf(folder: string): Promise<StepDepsFactory> {
  return ((await import(`../../../functions/${folder}/aws-deps.ts`)) as { awsDeps: StepDepsFactory }).awsDeps;
}

/** The ConfigurationError using `field` throws, or undefined when it is a real adapter. */
function useOf(deps: WorkflowDeps, field: keyof WorkflowDeps): unknown {
  try {
    const value = deps[field] as unknown;
    if (typeof value === 'function') (value as (...args: unknown[]) => unknown)({ provider: 'rfc2136', config: {} });
    else (value as Record<string, unknown>)['anyMethod'];
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The class each object adapter is, when built. */
const ADAPTER_CLASSES: Partial<Record<keyof WorkflowDeps, abstract new (...args: never[]) => unknown>> = {
  store: S3CertificateStore,
  lock: S3LineageLock,
  sweeps: S3SweepStore,
  keys: LineageRoutedKeyStore,
  events: EventBridgePublisher,
};

beforeEach(() => {
  built.length = 0;
  s3.reset();
  sm.reset();
  eb.reset();
});

describe('adaptersFor', () => {
  it('maps the access flags to adapters', () => {
    expect(adaptersFor({})).toEqual([]);
    expect(adaptersFor({ store: 'read', events: true })).toEqual(['store', 'events']);
    expect(adaptersFor({ certificateKeys: 'read' })).toEqual(['keys']);
    // Read-only DNS (CheckPropagation) still builds the provider: its change status is a provider call.
    expect(adaptersFor({ store: 'read', dns: 'read' })).toEqual(['store', 'dns']);
    expect(adaptersFor({ store: 'write', locks: true, sweeps: 'write', certificateKeys: 'write', accountKeys: 'write', eab: true, dns: 'write', events: true })).toEqual(ALL_ADAPTERS);
  });
});

describe.each(Object.entries(LAMBDA_STEPS) as [LambdaStep, string][])('%s (functions/%s/aws-deps.ts)', (step, folder) => {
  const expected = adaptersFor(STEP_ACCESS[step]);

  it(`builds exactly its STEP_ACCESS adapters, and calls no AWS API while building`, async () => {
    const deps = await (await factoryOf(folder))(ENV, { clientConfig, log: quietLog });
    expect([...built].sort()).toEqual([...expected].sort());
    expect(s3.calls().length + sm.calls().length + eb.calls().length).toBe(0);
    for (const adapter of expected) {
      for (const field of ADAPTER_FIELDS[adapter]) {
        const cls = ADAPTER_CLASSES[field];
        if (cls) expect(deps[field], `${step}: deps.${field}`).toBeInstanceOf(cls);
        else expect(typeof deps[field]).toBe('function');
      }
    }
    expect(deps.targets).toBeUndefined();
  });

  it('makes every other adapter throw a ConfigurationError naming the step and the access', async () => {
    const deps = await (await factoryOf(folder))(ENV, { clientConfig, log: quietLog });
    for (const adapter of ALL_ADAPTERS.filter((a) => !expected.includes(a))) {
      for (const field of ADAPTER_FIELDS[adapter]) {
        const error = useOf(deps, field);
        expect(error, `${step}: deps.${field}`).toMatchObject({ name: 'ConfigurationError', step });
        expect((error as Error).message).toContain(`STEP_ACCESS.${step}`);
        expect((error as Error).message).toContain(`deps.${field}`);
        expect((error as Error).message).toContain(`functions/${folder}/aws-deps.ts`);
      }
    }
  });
});

describe('a missing adapter in use', () => {
  it('fails the step with the reason, not an AccessDenied from AWS (EmitIssued has no DNS and no keys)', async () => {
    const deps = await (await factoryOf('emit-issued'))(ENV, { clientConfig, log: quietLog });
    expect(() => deps.dnsProvider({ provider: 'route53', config: {} } as never)).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', step: 'EmitIssued', access: 'dns', message: expect.stringMatching(/^EmitIssued used deps\.dnsProvider, but its function has no dns access/) }),
    );
    expect(() => deps.keys.getAccountKey('ca')).toThrow(expect.objectContaining({ name: 'ConfigurationError', access: 'certificateKeys or accountKeys' }));
  });

  it('is harmless to inspect or await (symbols and then are not adapter calls)', async () => {
    const deps = await (await factoryOf('complete-sweep'))(ENV, { clientConfig, log: quietLog });
    expect(String(Object.prototype.toString.call(deps.store))).toBe('[object Object]');
    await expect(Promise.resolve(deps.store)).resolves.toBe(deps.store);
    expect(() => deps.store.getLineage('x')).toThrow(expect.objectContaining({ name: 'ConfigurationError', step: 'CompleteSweep', access: 'store' }));
  });
});

describe('stepAwsDeps', () => {
  it('refuses builders that are not its STEP_ACCESS (a wiring mistake)', async () => {
    await expect(stepAwsDeps('EmitIssued', [s3Store])(ENV, { log: quietLog })).rejects.toMatchObject({
      name: 'ConfigurationError',
      step: 'EmitIssued',
      message: expect.stringContaining('STEP_ACCESS.EmitIssued gives store, events'),
    });
  });

  it('refuses ACMEFLOW_ACM_IMPORT=true: no step function has ACM access', async () => {
    await expect((await factoryOf('store-certificate'))({ ...ENV, ACMEFLOW_ACM_IMPORT: 'true' }, { log: quietLog })).rejects.toMatchObject({
      name: 'ConfigurationError',
      variable: 'ACMEFLOW_ACM_IMPORT',
    });
  });

  it.each(['ACMEFLOW_BUCKET', 'AWS_REGION'])('needs %s like awsDepsFromEnv', async (name) => {
    await expect((await factoryOf('emit-issued'))({ ...ENV, [name]: undefined }, { log: quietLog })).rejects.toMatchObject({ name: 'ConfigurationError', variable: name });
  });
});

describe('awsDepsFromEnv', () => {
  it('builds every adapter, and ACM import only with ACMEFLOW_ACM_IMPORT=true', async () => {
    await awsDepsFromEnv(ENV, { clientConfig, log: quietLog });
    expect([...built].sort()).toEqual([...ALL_ADAPTERS, 'targets'].sort());
    const deps = await awsDepsFromEnv({ ...ENV, ACMEFLOW_ACM_IMPORT: 'true' }, { clientConfig, log: quietLog });
    expect(deps.targets?.map((t) => t.name)).toEqual(['acm']);
  });
});

describe('composeDeps', () => {
  it('shares one SDK client per service between the adapters of a function', async () => {
    const clients: unknown[] = [];
    const probe: AdapterBuilder = { adapter: 'store', build: (ctx) => (clients.push(ctx.client('s3', () => ({})), ctx.client('s3', () => ({}))), {}) };
    await composeDeps('Probe', [probe], ENV, { log: quietLog });
    expect(clients).toHaveLength(2);
    expect(clients[0]).toBe(clients[1]);
  });
});
