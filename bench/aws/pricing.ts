/**
 * List prices (us-east-1, on demand, no free tier) and the arithmetic of a cost per certificate.
 * Every figure here is a list price the issue named; nothing is measured in this file.
 */

export const PRICES = {
  /** Step Functions Standard: per state transition ($0.025 per 1,000). Retries count as transitions. */
  sfnTransition: 0.025 / 1_000,
  /** Lambda arm64: per GB-second. */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda x86_64: per GB-second (for the certbot peer's other option). */
  lambdaX86GbSecond: 0.0000166667,
  /** Lambda: per request ($0.20 per 1M). */
  lambdaRequest: 0.2 / 1_000_000,
  /** S3 Standard: PUT, COPY, POST, LIST ($0.005 per 1,000). */
  s3PutTier: 0.005 / 1_000,
  /** S3 Standard: GET, SELECT and all other requests except DELETE ($0.0004 per 1,000). */
  s3GetTier: 0.0004 / 1_000,
  /** Secrets Manager: per API call ($0.05 per 10,000). */
  secretsCall: 0.05 / 10_000,
  /** Secrets Manager: per secret per month (not per certificate issued; reported apart). */
  secretMonth: 0.4,
  /** EventBridge: custom events ($1.00 per 1M; each 64 KB chunk of an entry is one event). */
  eventBridgeEvent: 1 / 1_000_000,
  /** KMS: requests ($0.03 per 10,000). */
  kmsRequest: 0.03 / 10_000,
} as const;

/** One Lambda invocation, as billed: duration rounded up to 1 ms, at the function's memory. */
export function lambdaInvocationCost(durationMs: number, memoryMb: number, gbSecond: number = PRICES.lambdaArmGbSecond): number {
  const billedMs = Math.ceil(durationMs);
  return (billedMs / 1000) * (memoryMb / 1024) * gbSecond + PRICES.lambdaRequest;
}

/** Requests by S3 price tier: LIST is billed like PUT, HEAD like GET, DELETE is free. */
export interface S3Counts {
  readonly GET: number;
  readonly HEAD: number;
  readonly PUT: number;
  readonly POST: number;
  readonly LIST: number;
  readonly DELETE: number;
}

export function s3Cost(c: S3Counts): number {
  return (c.PUT + c.POST + c.LIST) * PRICES.s3PutTier + (c.GET + c.HEAD) * PRICES.s3GetTier;
}

export interface CostInput {
  readonly transitions: number;
  /** Each Lambda invocation: its measured duration and its function's configured memory. */
  readonly invocations: readonly { readonly ms: number; readonly memoryMb: number }[];
  readonly s3: S3Counts;
  readonly secretsCalls: number;
  readonly events: number;
  readonly kmsRequests: number;
}

export interface CostBreakdown {
  readonly stepFunctions: number;
  readonly lambdaCompute: number;
  readonly lambdaRequests: number;
  readonly s3: number;
  readonly secretsManager: number;
  readonly eventBridge: number;
  readonly kms: number;
  readonly total: number;
}

export function costOf(input: CostInput): CostBreakdown {
  const stepFunctions = input.transitions * PRICES.sfnTransition;
  const lambdaRequests = input.invocations.length * PRICES.lambdaRequest;
  const lambdaCompute = input.invocations.reduce((sum, i) => sum + lambdaInvocationCost(i.ms, i.memoryMb) - PRICES.lambdaRequest, 0);
  const s3 = s3Cost(input.s3);
  const secretsManager = input.secretsCalls * PRICES.secretsCall;
  const eventBridge = input.events * PRICES.eventBridgeEvent;
  const kms = input.kmsRequests * PRICES.kmsRequest;
  return {
    stepFunctions,
    lambdaCompute,
    lambdaRequests,
    s3,
    secretsManager,
    eventBridge,
    kms,
    total: stepFunctions + lambdaCompute + lambdaRequests + s3 + secretsManager + eventBridge + kms,
  };
}

/** The certbot-in-Lambda peer: one invocation at `memoryMb` for `seconds` (its propagation sleep and the rest). */
export function certbotPeerCost(seconds: number, memoryMb = 1024, gbSecond: number = PRICES.lambdaArmGbSecond): number {
  return lambdaInvocationCost(seconds * 1000, memoryMb, gbSecond);
}

/** `$0.000123` with enough digits for sub-cent figures. */
export function usd(value: number, digits = 6): string {
  return `$${value.toFixed(digits)}`;
}
