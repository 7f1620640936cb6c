import { domainToASCII } from 'node:url';

/**
 * The one spelling of a domain name used across the DNS layer: ASCII (IDNA A-labels, RFC 5891),
 * lower case (names compare case-insensitively, RFC 4343), no trailing dot.
 *
 * @example
 * ```ts
 * normalizeDnsName('Bücher.Example.') // 'xn--bcher-kva.example'
 * ```
 */
export function normalizeDnsName(name: string): string {
  let ascii = name.trim();
  // domainToASCII is only needed (and only safe) for Unicode input; it would reject some ASCII
  // spellings DNS allows, and `_acme-challenge` labels must pass through untouched.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, NUL included.
  if (/[^\x00-\x7f]/.test(ascii)) {
    const converted = domainToASCII(ascii);
    if (converted === '') throw new TypeError(`not a valid domain name: ${JSON.stringify(name)}`);
    ascii = converted;
  }
  return ascii.toLowerCase().replace(/\.$/, '');
}
