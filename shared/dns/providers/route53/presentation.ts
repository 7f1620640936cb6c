/**
 * Route 53's presentation of TXT values: each value is one or more quoted character-strings
 * (`"abc"`, `"first 255 chars" "rest"`), with `\"` and `\\` escaped and other characters as `\ddd`
 * octal escapes (Route 53 developer guide, "Supported DNS record types", TXT).
 */

/** A character-string holds at most 255 octets (RFC 1035 §3.3.14). */
const MAX_STRING = 255;

/**
 * Quote one TXT value for Route 53, splitting it into 255-octet strings when longer.
 *
 * @example
 * ```ts
 * quoteTxtValue('LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0'); // '"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"'
 * ```
 */
export function quoteTxtValue(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const strings: string[] = [];
  for (let start = 0; start < bytes.length || strings.length === 0; start += MAX_STRING) {
    const chunk = bytes.subarray(start, start + MAX_STRING);
    let text = '';
    for (const byte of chunk) {
      if (byte === 0x22 || byte === 0x5c) text += `\\${String.fromCharCode(byte)}`;
      else if (byte < 0x20 || byte > 0x7e) text += `\\${byte.toString(8).padStart(3, '0')}`;
      else text += String.fromCharCode(byte);
    }
    strings.push(`"${text}"`);
  }
  return strings.join(' ');
}

/**
 * The value a Route 53 TXT entry stands for: its character-strings unescaped and joined. An entry
 * without quotes (never written by Route 53) is taken as it is.
 *
 * @example
 * ```ts
 * unquoteTxtValue('"abc" "def"'); // 'abcdef'
 * ```
 */
export function unquoteTxtValue(raw: string): string {
  const strings = [...raw.matchAll(/"((?:[^"\\]|\\.)*)"/g)];
  if (strings.length === 0) return raw;
  const bytes: number[] = [];
  for (const [, body = ''] of strings) {
    for (let i = 0; i < body.length; i++) {
      const char = body[i] ?? '';
      const octal = char === '\\' ? /^[0-7]{3}/.exec(body.slice(i + 1)) : null;
      if (octal) {
        bytes.push(Number.parseInt(octal[0], 8));
        i += 3;
      } else {
        if (char === '\\') i += 1;
        bytes.push(...Buffer.from(body[i] ?? '', 'utf8'));
      }
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A record name as Route 53 returns it (`\052.example.com.`), in the DNS layer's spelling:
 * octal escapes decoded, lower case, no trailing dot.
 *
 * @example
 * ```ts
 * route53NameToDnsName('\\052.Example.com.'); // '*.example.com'
 * ```
 */
export function route53NameToDnsName(name: string): string {
  return name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))).replace(/\.$/, '').toLowerCase();
}
