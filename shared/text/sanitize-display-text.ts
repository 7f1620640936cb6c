/**
 * Text from outside (a CA's problem `detail`, a DNS API's error message) is shown on terminals and
 * stored in events, execution state and lineage files. Such text must not drive the terminal (an
 * escape sequence can clear the screen, move the cursor or forge a "Successfully received
 * certificate." line after a carriage return) nor grow without bound (a 5 MB detail). Every such
 * string goes through {@link sanitizeDisplayText} once, where it enters acmeflow, and again where it
 * is printed.
 */

/** Characters kept of one string from outside. A CA's detail is a sentence or two. */
export const DISPLAY_TEXT_MAX_LENGTH = 1000;

// ESC-introduced sequences (CSI `ESC [ ... final`, OSC `ESC ] ... BEL|ST`, and two-byte escapes) go
// whole, so no parameter bytes are left to look like text; then any other C0/C1 control character
// and the Unicode bidirectional overrides that reorder what is shown (Trojan Source, CVE-2021-42574).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's purpose.
const ESCAPE_SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]|\u001b[@-_]?/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's purpose.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes a string from outside safe to print and store: escape sequences removed, every other
 * control character (newlines and tabs included) turned into a space, runs of spaces folded, and
 * the result cut to `maxLength` characters with a note of how much was left out.
 *
 * @example
 * sanitizeDisplayText('Order failed\u001b[2J\rSuccessfully received certificate.')
 * // → 'Order failed Successfully received certificate.'
 */
export function sanitizeDisplayText(text: string, maxLength = DISPLAY_TEXT_MAX_LENGTH): string {
  // Cut a generous prefix first, so a huge input costs no more than a short one.
  const head = text.length > maxLength * 4 ? text.slice(0, maxLength * 4) : text;
  const clean = head.replace(ESCAPE_SEQUENCES, '').replace(CONTROLS, ' ').replace(/ {2,}/g, ' ').trim();
  if (clean.length <= maxLength && head.length === text.length) return clean;
  const kept = [...clean].slice(0, maxLength).join('');
  if (kept.length === clean.length && head.length === text.length) return kept;
  return `${kept}… (cut: ${text.length} characters in all)`;
}
