import { sanitizeDisplayText } from '../../shared/text/index.js';
import type { Output } from '../output.js';

/**
 * The CA's profiles (draft-ietf-acme-profiles `meta.profiles`: name → description), one a line, for
 * `--preferred-profile` / `--required-profile`. `indent` places them under another block (certbot's
 * `show_account` indents its fields); nothing is printed when the CA lists none, unless `none` says what to print.
 *
 * @example
 * ```ts
 * printOfferedProfiles(out, { classic: 'the default' }, { indent: '  ' });
 * // "  The CA offers these certificate profiles (--preferred-profile NAME or --required-profile NAME):"
 * // "    classic: the default"
 * ```
 */
export function printOfferedProfiles(
  out: Output,
  profiles: Readonly<Record<string, string>> | undefined,
  options: { readonly indent?: string; readonly none?: string } = {},
): void {
  const indent = options.indent ?? '';
  const names = Object.keys(profiles ?? {});
  if (names.length === 0) {
    if (options.none !== undefined) out.line(`${indent}${options.none}`);
    return;
  }
  out.line(`${indent}The CA offers these certificate profiles (--preferred-profile NAME or --required-profile NAME):`);
  // The CA's words: sanitised before they reach a terminal.
  for (const name of names) out.line(`${indent}  ${sanitizeDisplayText(name, 64)}: ${sanitizeDisplayText(String(profiles?.[name] ?? ''), 200)}`);
}
