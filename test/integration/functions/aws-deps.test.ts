/**
 * awsDepsFromEnv against the wire: s3rver for S3, the Secrets Manager and EventBridge fakes through
 * the real SDK clients (pointed at them with `clientConfig`). What each adapter writes where, and
 * that EAB and DNS credentials are read from secrets at run time. And PlanRenewals's own adapters,
 * whose lineage reads are signed GETs outside the SDK.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import type { Logger, WorkflowDeps } from '../../../shared/workflow/index.js';
import { awsDepsFromEnv } from '../../../functions/runtime/aws-deps.js';
import { awsDeps as planRenewalsAwsDeps } from '../../../functions/plan-renewals/aws-deps.js';
import { makeHandler as makePlanHandler } from '../../../functions/plan-renewals/handler.js';
import { nodeHttpTransport, type HttpTransport } from '../../../shared/http/index.js';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startEventBridgeFake, type EventBridgeFake } from '../../../harness/eventbridge-fake.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../harness/secrets-manager-fake.js';
import { FAKE_CREDENTIALS as credentials, fakeClientConfig } from './support/fake-aws.js';

let s3: S3rverHandle;
let sm: SecretsManagerFake;
let eb: EventBridgeFake;
let deps: WorkflowDeps;
const warnings: string[] = [];

async function createSecret(name: string, value: unknown): Promise<void> {
  const client = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, credentials });
  await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
  client.destroy();
}

beforeAll(async () => {
  [s3, sm, eb] = await Promise.all([startS3rver(), startSecretsManagerFake(), startEventBridgeFake()]);
  const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
  deps = await awsDepsFromEnv(
    { ACMEFLOW_BUCKET: s3.bucket, AWS_REGION: sm.region, ACMEFLOW_SECRET_PREFIX: 'it/', ACMEFLOW_EVENT_BUS: 'acmeflow-it' },
    { clientConfig: fakeClientConfig({ s3, sm, eb }), log },
  );
});
afterAll(async () => {
  await Promise.all([s3?.stop(), sm?.stop(), eb?.stop()]);
});

const spec = (name: string, dns: Record<string, unknown> = { provider: 'route53' }) =>
  resolveLineageSpec({ name, domains: [`${name}.example.test`], keyType: 'ecdsa-p256', ca: { directoryUrl: 'https://ca.test/dir' }, dns });

describe('awsDepsFromEnv on s3rver and the fakes', () => {
  it('stores lineages, leases and sweep plans in the bucket', async () => {
    const { etag } = await deps.store.putLineage({ spec: spec('wire'), state: { currentVersion: 0 } }, { expectedEtag: null });
    expect((await deps.store.getLineage('wire'))?.etag).toBe(etag);
    const handle = await deps.lock.acquire('wire', { owner: 'exec-1', leaseSeconds: 60 });
    const lease = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'locks/wire.json' }));
    expect(JSON.parse((await lease.Body?.transformToString()) ?? '')).toMatchObject({ lineage: 'wire', owner: 'exec-1' });
    await deps.lock.release(handle);
    const planKey = await deps.sweeps?.putPlan('sweep-wire', [{ lineage: 'wire', expectedVersion: 0, force: false, dryRun: false }]);
    const plan = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: planKey }));
    expect(JSON.parse((await plan.Body?.transformToString()) ?? '')).toEqual([{ lineage: 'wire', expectedVersion: 0, force: false, dryRun: false }]);
  });

  it('keeps account keys in Secrets Manager under <prefix>account/', async () => {
    await deps.keys.putAccountKey('ca.test-dir', { privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', directoryUrl: 'https://ca.test/dir' });
    expect(sm.secret('it/account/ca.test-dir')).toBeDefined();
    expect((await deps.keys.getAccountKey('ca.test-dir'))?.directoryUrl).toBe('https://ca.test/dir');
  });

  it('publishes to the configured bus', async () => {
    await deps.events.publish([{ detailType: 'Renewal Sweep Completed', detail: { attempted: 1, renewed: ['wire'], failed: [], skipped: 0, dryRun: false } }]);
    expect(eb.events.map((e) => [e.eventBusName, e.source, e.detailType])).toEqual([['acmeflow-it', 'acmeflow', 'Renewal Sweep Completed']]);
  });

  it('reads EAB credentials from the secret the lineage names', async () => {
    const hmacKey = randomBytes(32).toString('base64url');
    await createSecret('it/eab/pebble', { kid: 'kid-7', hmacKey });
    await expect(deps.resolveEab('it/eab/pebble')).resolves.toEqual({ kid: 'kid-7', hmacKey });
    const call = sm.calls.filter((c) => c.action === 'GetSecretValue').at(-1);
    expect(call?.request).toMatchObject({ SecretId: 'it/eab/pebble' });
    await expect(deps.resolveEab('it/eab/none')).rejects.toMatchObject({ name: 'EabCredentialsError', source: 'secret', ref: 'it/eab/none' });
  });

  it('builds an rfc2136 provider with the TSIG key of the secret, and refuses a malformed one', async () => {
    await createSecret('it/dns/good', { tsig: { name: 'acmeflow.', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') } });
    const provider = await deps.dnsProvider(spec('d', { provider: 'rfc2136', config: { server: '127.0.0.1', port: 53 }, credentialsRef: 'it/dns/good' }).dns);
    expect(provider.code).toBe('rfc2136');
    await createSecret('it/dns/bad', { tsig: { name: 'acmeflow.' } });
    await expect(deps.dnsProvider(spec('d', { provider: 'rfc2136', config: { server: '127.0.0.1' }, credentialsRef: 'it/dns/bad' }).dns)).rejects.toMatchObject({
      name: 'DnsProviderConfigError',
    });
  });
});

describe('the PlanRenewals function on s3rver', () => {
  it('plans a sweep with its own adapters, reading each lineage by a signed GET, not the SDK', async () => {
    const sent: string[] = [];
    const inner = nodeHttpTransport();
    const transport: HttpTransport = (request) => {
      sent.push(`${request.method} ${new URL(request.url).pathname}`);
      return inner(request);
    };
    const env = { ACMEFLOW_BUCKET: s3.bucket, AWS_REGION: sm.region };
    const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
    const sdkReads: string[] = [];
    const s3Config = fakeClientConfig({ s3, sm, eb }).s3;
    const handler = makePlanHandler(() =>
      planRenewalsAwsDeps(env, {
        clientConfig: {
          s3: { ...s3Config, requestHandler: countingHandler(sdkReads) },
          s3Reads: { transport },
        },
        log,
      }),
    );
    for (const name of ['plan-a', 'plan-b']) await deps.store.putLineage({ spec: spec(name), state: { currentVersion: 0 } });
    const state = (await handler({ input: { lineages: ['plan-a', 'plan-b'] }, sweepId: 'signed-reads' })) as { due: number; planKey?: string };
    expect(state.due).toBe(2);
    expect(sent.sort()).toEqual([`GET /${s3.bucket}/renewal/plan-a.json`, `GET /${s3.bucket}/renewal/plan-b.json`]);
    // The SDK client wrote the plan and read the index; no lineage read went through it.
    expect(sdkReads.filter((r) => r.includes('/renewal/'))).toEqual([]);
    expect(sdkReads.some((r) => r.startsWith('PUT') && r.includes('/sweeps/signed-reads/'))).toBe(true);
  });
});

/** An SDK request handler that records `METHOD path` and sends with the SDK's own NodeHttpHandler. */
function countingHandler(seen: string[]): NodeHttpHandler {
  const inner = new NodeHttpHandler();
  return Object.assign(Object.create(inner) as NodeHttpHandler, {
    handle: (request: Parameters<NodeHttpHandler['handle']>[0], options: Parameters<NodeHttpHandler['handle']>[1]) => {
      seen.push(`${request.method} ${request.path}`);
      return inner.handle(request, options);
    },
  });
}
