/**
 * Drives one dns-01 issuance with the ACME layer alone, the way the state machine will, for tests
 * and the protocol benchmark: every wait is the caller's (here a short sleep honouring Retry-After),
 * the layer itself never sleeps. The workflow steps replace this in production.
 */
import 'reflect-metadata';
import {
  downloadCertificate,
  finalizeOrder,
  findChallenge,
  getAuthorization,
  getOrder,
  keyAuthorization,
  newOrder,
  respondChallenge,
  type Account,
  type AcmeContext,
  type DownloadedCertificate,
  type Order,
} from '../shared/acme/index.js';
import { createCsr, generateCertificateKey, type KeyType } from '../shared/crypto/index.js';
import { createHash } from 'node:crypto';

export interface TxtPublisher {
  /** Publish all values for one record name (wildcard and apex share one name). */
  publish(name: string, values: string[]): Promise<void>;
  unpublish(name: string, values: string[]): Promise<void>;
}

export interface IssueOptions {
  readonly keyType?: KeyType;
  readonly preferredChain?: string;
  readonly profile?: string;
  /** Upper bound on each polling loop. */
  readonly maxPolls?: number;
  /** Longest sleep between polls, ms (tests cap the CA's Retry-After to stay fast). */
  readonly maxSleepMs?: number;
}

export interface IssuedCertificate {
  readonly order: Order;
  readonly privateKeyPem: string;
  readonly certificate: DownloadedCertificate;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** dns-01 record name and value (RFC 8555 §8.4); kept here so the harness does not depend on shared/dns. */
export function dns01(domain: string, keyAuth: string): { name: string; value: string } {
  return {
    name: `_acme-challenge.${domain.replace(/^\*\./, '')}`,
    value: createHash('sha256').update(keyAuth).digest('base64url'),
  };
}

export async function issueWithAcmeLayer(
  ctx: AcmeContext,
  account: Account,
  domains: string[],
  dns: TxtPublisher,
  options: IssueOptions = {},
): Promise<IssuedCertificate> {
  const maxPolls = options.maxPolls ?? 100;
  const wait = (retryAfter: number | undefined) => sleep(Math.min((retryAfter ?? 0.05) * 1000, options.maxSleepMs ?? 200));
  const { order } = await newOrder(ctx, account, { domains, ...(options.profile ? { profile: options.profile } : {}) });
  // One after another, as the workflow step does: parallel requests would each need a nonce of their own.
  const authzs = [];
  for (const url of order.authorizations) authzs.push((await getAuthorization(ctx, account, url)).resource);
  const pending = authzs.filter((a) => a.status === 'pending');
  const records = new Map<string, string[]>();
  const challenges: string[] = [];
  for (const authz of pending) {
    const challenge = findChallenge(authz);
    const { name, value } = dns01(authz.identifier.value, await keyAuthorization(challenge.token ?? '', account.key));
    records.set(name, [...(records.get(name) ?? []), value]);
    challenges.push(challenge.url);
  }
  for (const [name, values] of records) await dns.publish(name, values);
  try {
    for (const url of challenges) await respondChallenge(ctx, account, url);
    for (const authz of pending) {
      for (let i = 0; ; i++) {
        const polled = await getAuthorization(ctx, account, authz.url);
        if (polled.resource.status === 'valid') break;
        if (polled.resource.status !== 'pending' || i >= maxPolls) {
          throw new Error(`authorization for ${authz.identifier.value} is ${polled.resource.status}: ${JSON.stringify(polled.resource.challenges.map((c) => c.error))}`);
        }
        await wait(polled.retryAfterSeconds);
      }
    }
  } finally {
    for (const [name, values] of records) await dns.unpublish(name, values);
  }
  const key = await generateCertificateKey(options.keyType ?? 'ecdsa-p256');
  const csr = await createCsr({ privateKeyPem: key.privateKeyPem, domains });
  const finalized = await finalizeOrder(ctx, account, order, csr.der);
  let current = finalized.resource;
  let retryAfter = finalized.retryAfterSeconds;
  for (let i = 0; current.status !== 'valid'; i++) {
    if (current.status !== 'processing' || i >= maxPolls) throw new Error(`order is ${current.status}`);
    await wait(retryAfter); // a Wait state before each poll (RFC 8555 §7.4: processing → poll later)
    const polled = await getOrder(ctx, account, order.url);
    current = polled.resource;
    retryAfter = polled.retryAfterSeconds;
  }
  const certificate = await downloadCertificate(ctx, account, current.certificate as string, {
    ...(options.preferredChain ? { preferredChain: options.preferredChain } : {}),
  });
  return { order: current, privateKeyPem: key.privateKeyPem, certificate };
}
