import { parseCertificate } from '../crypto/parse-certificate.js';
import { splitPemChain } from '../crypto/split-pem-chain.js';
import type { Account } from './account.js';
import type { AcmeContext } from './context.js';
import { AcmeInvalidResponseError } from './errors.js';
import { ACME_CERTIFICATE_MAX_BYTES } from './http.js';
import { signedRequest } from './transport.js';

/** One certificate chain as the CA serves it (RFC 8555 §7.4.2): the leaf first, then the issuers. */
export interface CertificateChain {
  readonly url: string;
  /** The whole `application/pem-certificate-chain` body: leaf, then intermediates. */
  readonly fullchainPem: string;
  readonly certificatePem: string;
  readonly chainPem: string;
  /** Issuer common names from the leaf upward; the last is the one `preferredChain` matches first. */
  readonly issuerCommonNames: readonly string[];
}

export interface DownloadedCertificate {
  /** The chain picked: the preferred one when it was found, else the CA's default. */
  readonly selected: CertificateChain;
  /** URLs of the alternate chains the CA offered (`Link: rel="alternate"`, RFC 8555 §7.4.2). */
  readonly alternates: readonly string[];
  /** Whether `preferredChain` was asked for and matched. */
  readonly preferredMatched: boolean;
}

async function fetchChain(ctx: AcmeContext, account: Account, url: string): Promise<{ chain: CertificateChain; alternates: readonly string[] }> {
  const res = await signedRequest(ctx, url, { key: account.key, accountUrl: account.url }, undefined, { maxBodyBytes: ACME_CERTIFICATE_MAX_BYTES });
  const pems = splitPemChain(res.body);
  if (pems.length === 0) throw new AcmeInvalidResponseError(url, 'the certificate download holds no PEM certificate', { status: res.status });
  const issuers = pems.map((pem) => parseCertificate(pem).issuerCommonName ?? '');
  const [leaf, ...rest] = pems as [string, ...string[]];
  return {
    chain: {
      url,
      fullchainPem: pems.join(''),
      certificatePem: leaf,
      chainPem: rest.join(''),
      issuerCommonNames: issuers,
    },
    alternates: res.links.alternate ?? [],
  };
}

/**
 * Chooses a chain by the issuer common name, as certbot's and lego's `--preferred-chain` do: first a
 * chain whose topmost certificate was issued by that name, then any chain with an issuer of that name.
 */
export function selectChain(chains: readonly CertificateChain[], preferredIssuer: string | undefined): { chain: CertificateChain; matched: boolean } {
  const [first] = chains;
  if (!first) throw new Error('selectChain needs at least one chain');
  if (!preferredIssuer) return { chain: first, matched: false };
  const want = preferredIssuer.trim().toLowerCase();
  const top = chains.find((c) => c.issuerCommonNames.at(-1)?.toLowerCase() === want);
  if (top) return { chain: top, matched: true };
  const any = chains.find((c) => c.issuerCommonNames.some((n) => n.toLowerCase() === want));
  return any ? { chain: any, matched: true } : { chain: first, matched: false };
}

/**
 * RFC 8555 §7.4.2: downloads the certificate. Alternate chains are fetched only when a preferred
 * issuer is asked for, so the common case costs one request.
 *
 * @example
 * const { selected } = await downloadCertificate(ctx, account, order.certificate!, { preferredChain: 'ISRG Root X1' });
 */
export async function downloadCertificate(
  ctx: AcmeContext,
  account: Account,
  certificateUrl: string,
  options: { preferredChain?: string } = {},
): Promise<DownloadedCertificate> {
  const main = await fetchChain(ctx, account, certificateUrl);
  if (!options.preferredChain || main.alternates.length === 0) {
    const { matched } = selectChain([main.chain], options.preferredChain);
    return { selected: main.chain, alternates: main.alternates, preferredMatched: matched };
  }
  const chains = [main.chain];
  for (const url of main.alternates) chains.push((await fetchChain(ctx, account, url)).chain);
  const { chain, matched } = selectChain(chains, options.preferredChain);
  return { selected: chain, alternates: main.alternates, preferredMatched: matched };
}
