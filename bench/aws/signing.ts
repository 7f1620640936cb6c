/**
 * The CPU cost of signing one lineage read, alone (the planning benchmark measures it only inside a
 * whole sweep). Three rows, each the median of several rounds of sequential signs on one reused signer:
 *
 * - `hand-written`: a minimal SigV4 for a GET with no body (one SHA-256 and one HMAC per request, the
 *   day's signing key kept), the reference the reader was measured against before it took the library;
 * - `SignatureV4`: `@smithy/signature-v4` as SignedObjectReader builds it: the S3 client's own
 *   `sha256` constructor and credentials provider, one instance reused (its signing-key cache);
 * - `SignedObjectReader.get`: a whole read over a transport that answers at once: signing, the URL,
 *   the promise chain, no network.
 *
 * Every signature is checked against the hand-written one before timing, so the rows sign the same bytes.
 *
 *   npx tsx bench/aws/signing.ts [--signs N] [--rounds N]
 */
import { createHash, createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpTransport } from '../../shared/http/index.js';
import { SignedObjectReader } from '../../shared/store/s3/index.js';

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const CREDENTIALS: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-'.repeat(40) };
const REGION = 'us-east-1';
const HOST = 'acmeflow-certs-123456789012.s3.us-east-1.amazonaws.com';

/** The reference: SigV4 for a GET with no body, as S3 checks it, written out by hand. */
class HandWrittenGetSigner {
  #key: { readonly day: string; readonly secret: string; readonly key: Buffer } | undefined;

  sign(credentials: Credentials, host: string, path: string, now: Date): Record<string, string> {
    const amzDate = `${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${REGION}/s3/aws4_request`;
    const headers: Record<string, string> = {
      host,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-date': amzDate,
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const names = Object.keys(headers).sort();
    const signedHeaders = names.join(';');
    const canonicalRequest = ['GET', path, '', ...names.map((name) => `${name}:${headers[name]?.trim()}`), '', signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    if (this.#key?.day !== day || this.#key.secret !== credentials.secretAccessKey) {
      const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
      this.#key = { day, secret: credentials.secretAccessKey, key: hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), REGION), 's3'), 'aws4_request') };
    }
    const signature = createHmac('sha256', this.#key.key).update(stringToSign).digest('hex');
    headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }
}

const pathOf = (i: number) => `/renewal/lineage-${i}.example.com.json`;

/** CPU microseconds per call of `once(i)`: the median over `rounds` rounds of `signs` sequential calls. */
async function cpuPerCall(once: (i: number) => Promise<unknown>, signs: number, rounds: number): Promise<{ medianUs: number; spreadUs: [number, number] }> {
  for (let i = 0; i < Math.min(signs, 5_000); i++) await once(i); // warm-up: JIT, the signing-key caches
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < signs; i++) await once(i);
    const cpu = process.cpuUsage(cpu0);
    perRound.push((cpu.user + cpu.system) / signs);
  }
  perRound.sort((a, b) => a - b);
  return { medianUs: perRound[Math.floor(perRound.length / 2)] as number, spreadUs: [perRound[0] as number, perRound.at(-1) as number] };
}

/** CPU µs per read, medians, and the rows as Markdown lines. */
export interface SigningFigures {
  readonly handWrittenUs: number;
  readonly libraryUs: number;
  readonly readUs: number;
  readonly lines: string[];
}

/** Runs the three rows. */
export async function signingBenchmark(options: { signs?: number; rounds?: number } = {}): Promise<SigningFigures> {
  const signs = options.signs ?? 20_000;
  const rounds = options.rounds ?? 7;
  const client = new S3Client({ region: REGION, credentials: CREDENTIALS });
  const config = client.config as unknown as { sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256']; credentials: () => Promise<Credentials> };
  const at = new Date('2026-12-07T12:00:00Z');

  const hand = new HandWrittenGetSigner();
  const library = new SignatureV4({ service: 's3', region: REGION, sha256: config.sha256, credentials: config.credentials, uriEscapePath: false, applyChecksum: false });
  const signWithLibrary = (i: number) =>
    library.sign({ method: 'GET', protocol: 'https:', hostname: HOST, path: pathOf(i), query: {}, headers: { host: HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { signingDate: at });
  const answer = { status: 200, body: '{}', headers: { get: (name: string) => (name === 'etag' ? '"e"' : null) } };
  const instant: HttpTransport = async () => answer;
  const reader = new SignedObjectReader({ bucket: 'acmeflow-certs-123456789012', client, transport: instant, now: () => at });

  for (const i of [0, 1]) {
    const expected = hand.sign(await config.credentials(), HOST, pathOf(i), at)['authorization'];
    if ((await signWithLibrary(i)).headers['authorization'] !== expected) throw new Error('SignatureV4 and the hand-written signer disagree');
  }

  const rows: [string, Awaited<ReturnType<typeof cpuPerCall>>][] = [
    ['hand-written (one SHA-256, one HMAC)', await cpuPerCall(async (i) => hand.sign(await config.credentials(), HOST, pathOf(i), at), signs, rounds)],
    ['`SignatureV4` (@smithy/signature-v4, the client\'s sha256, one instance)', await cpuPerCall(signWithLibrary, signs, rounds)],
    ['`SignedObjectReader.get` over an instant transport', await cpuPerCall((i) => reader.get(pathOf(i).slice(1)), signs, rounds)],
  ];
  const lines = [
    `- ${signs} sequential signs × ${rounds} rounds per row, Node ${process.version}, median (min–max of the rounds), CPU µs per read:`,
    '',
    '| signer | CPU µs per read |',
    '|---|---|',
    ...rows.map(([name, r]) => `| ${name} | ${r.medianUs.toFixed(1)} (${r.spreadUs[0].toFixed(1)}–${r.spreadUs[1].toFixed(1)}) |`),
  ];
  const [handWrittenUs, libraryUs, readUs] = rows.map(([, r]) => r.medianUs) as [number, number, number];
  return { handWrittenUs, libraryUs, readUs, lines };
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of (await signingBenchmark({ signs: Number(option('signs', '20000')), rounds: Number(option('rounds', '7')) })).lines) console.log(line);
}
