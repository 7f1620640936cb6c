import catalog from './error-catalog.json' with { type: 'json' };
import { shortProblemType, type AcmeProblem } from './errors.js';

/**
 * Explanations of ACME problems for people, in English and Japanese, from the project's copy of the
 * CA operator manual's error table (`error-catalog.json`). The CA's `malformed` problems are told
 * apart by their detail text, so those are matched by detail first.
 */

export type ExplanationLanguage = 'en' | 'ja';

export interface Explanation {
  /** Short problem type (`badNonce`), or the full type when it is not an ACME URN. */
  readonly type: string;
  readonly en: string;
  readonly ja: string;
  /** Where the text came from: a detail-matched variant, the type's entry, or the generic fallback. */
  readonly source: 'variant' | 'type' | 'fallback';
}

interface CatalogText {
  readonly detail?: string | null;
  readonly en: string;
  readonly ja: string;
}
interface CatalogEntry extends CatalogText {
  readonly type: string;
  readonly status?: number | null;
  readonly variants?: readonly (CatalogText & { status?: number })[];
}

const ENTRIES: ReadonlyMap<string, CatalogEntry> = new Map(
  (catalog.types as readonly CatalogEntry[]).map((entry) => [entry.type, entry]),
);

/** Problem types the catalog knows, short form. */
export function knownProblemTypes(): string[] {
  return [...ENTRIES.keys()];
}

/** The CA writes `%s` where it fills in a value; turn a catalog detail into a matcher. */
function detailMatcher(pattern: string): RegExp {
  const escaped = pattern
    .split('%s')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^\\s*${escaped}\\s*$`, 'i');
}

const VARIANT_MATCHERS = new Map<string, { matcher: RegExp; text: CatalogText }[]>(
  [...ENTRIES.values()].map((entry) => [
    entry.type,
    (entry.variants ?? []).filter((v) => v.detail).map((v) => ({ matcher: detailMatcher(v.detail as string), text: v })),
  ]),
);

/**
 * Explains a problem (or a bare problem type) in both languages.
 *
 * @example
 * explainProblem({ type: 'urn:ietf:params:acme:error:malformed', detail: 'Unable to create account' }).en
 * // → 'The CA could not create the account from these EAB credentials: …'
 */
export function explainProblem(problem: (Pick<AcmeProblem, 'type' | 'detail'> & Partial<Pick<AcmeProblem, 'subproblems'>>) | string): Explanation {
  const base = explainType(problem);
  if (typeof problem === 'string') return base;
  const details = [problem.detail, ...(problem.subproblems ?? []).map((s) => s.detail)].filter((d): d is string => typeof d === 'string');
  const hints = HINTS.filter((h) => details.some((d) => h.matcher.test(d)));
  if (hints.length === 0) return base;
  return { ...base, en: [base.en, ...hints.map((h) => h.en)].join(' '), ja: [base.ja, ...hints.map((h) => h.ja)].join('') };
}

/**
 * Hints that apply whatever the problem type, matched by detail text (the catalog's `hints`): a
 * failed DNS-01 validation in a DNSSEC-signed zone is reported as `dns`, `unauthorized`,
 * `incorrectResponse` or `compound` depending on the CA, and the advice is the same for each.
 */
const HINTS: readonly { id: string; matcher: RegExp; en: string; ja: string }[] = (
  (catalog as { hints?: readonly { id: string; detail: string; en: string; ja: string }[] }).hints ?? []
).map((h) => ({ id: h.id, matcher: detailMatcher(h.detail), en: h.en, ja: h.ja }));

function explainType(problem: Pick<AcmeProblem, 'type' | 'detail'> | string): Explanation {
  const { type, detail } = typeof problem === 'string' ? { type: problem, detail: undefined } : problem;
  const short = shortProblemType(normalizeTypeInput(type));
  const entry = ENTRIES.get(short);
  if (entry) {
    if (detail) {
      const variant = VARIANT_MATCHERS.get(short)?.find((v) => v.matcher.test(detail));
      if (variant) return { type: short, en: variant.text.en, ja: variant.text.ja, source: 'variant' };
    }
    return { type: short, en: entry.en, ja: entry.ja, source: 'type' };
  }
  return {
    type: short,
    en:
      `The CA returned a problem of type "${short}", which acmeflow does not have an explanation for. ` +
      `Read the CA's detail text and its documentation; the raw problem document is shown below.`,
    ja:
      `CA から acmeflow が説明を持たない種類のエラー「${short}」が返されました。` +
      `CA の詳細メッセージとドキュメントを確認してください。元のエラー文書を以下に示します。`,
    source: 'fallback',
  };
}

/** An explanation of an error acmeflow raises itself, with no problem document from the CA. */
export interface ClientErrorExplanation {
  /** The error's literal name, e.g. `AcmeInsecureUrlError`. */
  readonly name: string;
  readonly en: string;
  readonly ja: string;
}

const CLIENT_ERRORS: ReadonlyMap<string, ClientErrorExplanation> = new Map(
  ((catalog as { clientErrors?: readonly ClientErrorExplanation[] }).clientErrors ?? []).map((entry) => [entry.name, entry]),
);

/**
 * Explains an error acmeflow raised itself (its `name`), in both languages, when the catalog has it.
 *
 * @example
 * explainClientError('AcmeInsecureUrlError')?.en // → 'acmeflow refused a plain http:// URL: …'
 */
export function explainClientError(name: string): ClientErrorExplanation | undefined {
  return CLIENT_ERRORS.get(name);
}

/** How {@link explainFailure} found its text: the catalog's entry for the error, or the text every other error gets. */
export type FailureExplanation = ClientErrorExplanation & { readonly source: 'catalog' | 'generic' };

/**
 * Explains any error acmeflow stops with, by its literal name: the catalog's entry when it has one,
 * else a text that points at the error's own message (which names what failed and the fix) and at
 * `-v`. Every failure the command prints ends with this and `acmeflow explain <name>`.
 *
 * @example
 * explainFailure('Rfc2136TsigError').source // → 'catalog'
 */
export function explainFailure(name: string): FailureExplanation {
  const entry = CLIENT_ERRORS.get(name);
  if (entry) return { ...entry, source: 'catalog' };
  return {
    name,
    en: `acmeflow stopped with ${name}: the message above names what failed and what to change. Run the command again with -v to see each step of the workflow and its log.`,
    ja: `acmeflow は ${name} で停止しました。失敗した内容と対処は上のメッセージに示されています。-v を付けて再実行すると、ワークフローの各ステップとログを確認できます。`,
    source: 'generic',
  };
}

/** Accepts `badNonce`, `urn:ietf:params:acme:error:badNonce` and `acme:error:badNonce`. */
function normalizeTypeInput(type: string): string {
  const t = type.trim();
  const m = /(?:^|:)error:([A-Za-z]+)$/.exec(t);
  return m ? (m[1] as string) : t;
}

/**
 * The language people asked for through the POSIX locale variables: Japanese when the first set of
 * `LC_ALL`, `LC_MESSAGES`, `LANG` starts with `ja`, English otherwise.
 */
export function languageFromEnv(env: Record<string, string | undefined>): ExplanationLanguage {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ja([_.@-]|$)/i.test(locale) ? 'ja' : 'en';
}
