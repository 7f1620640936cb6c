import { domainToASCII } from 'node:url';
import { lineageNameProblem } from '../shared/config/index.js';
import { UsageError } from './usage-error.js';

/**
 * A `--cert-name` as the lineage is named on disk: certbot names a lineage after its first domain in
 * its ASCII form (RFC 5891 A-labels), so `--cert-name bücher.example` means `xn--bcher-kva.example`.
 *
 * @example
 * ```ts
 * certNameFromFlag('bücher.example.test'); // → 'xn--bcher-kva.example.test'
 * ```
 */
export function certNameFromFlag(name: string): string {
  // A name in ASCII (A-labels included) is the lineage's name as given, case kept, as certbot keeps it.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the ASCII test itself
  if (/^[\x00-\x7f]*$/.test(name)) return name;
  const ascii = domainToASCII(name);
  if (ascii === '') throw new UsageError(`--cert-name ${name}: not a name that converts to ASCII (IDNA); give the xn-- form.`);
  const problem = lineageNameProblem(ascii);
  if (problem) throw new UsageError(`--cert-name ${name} (${ascii}): ${problem}.`);
  return ascii;
}
