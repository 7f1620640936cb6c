/**
 * The INI dialect certbot reads and writes its renewal confs in: Python's `configobj`
 * (https://configobj.readthedocs.io/en/latest/configobj.html#the-config-file-format), the subset
 * certbot's files use. Values are strings or comma-separated lists; `#` starts a comment outside
 * quotes; quotes are `"…"`, `'…'` or triple quotes, with no escapes inside. Whatever acmeflow
 * writes must parse in certbot too, or certbot stops managing the lineage, so writing quotes every
 * value configobj would read differently.
 */
import { RenewalConfError } from './errors.js';

/** A value as configobj reads it: a string, or a list when the text holds an unquoted comma. */
export type ConfValue = string | readonly string[];

/** One `key = value` line (or several, for a triple-quoted value), with its text kept for rewriting. */
export interface ConfEntry {
  readonly key: string;
  readonly value: ConfValue;
  /** 1-based line number of the key. */
  readonly line: number;
  /** The entry's lines exactly as written, to carry keys acmeflow does not own into a rewrite. */
  readonly text: string;
}

/** The keys before the first section (`name` null), or one `[section]`. */
export interface ConfSection {
  readonly name: string | null;
  readonly entries: readonly ConfEntry[];
  /** Every line of the section as written, header included (to carry unknown sections over). */
  readonly text: string;
  readonly line: number;
}

export interface ConfDocument {
  /** The top level first, then each section in file order. */
  readonly sections: readonly ConfSection[];
}

const SECTION = /^((?:\[\s*)+)(.*?)((?:\s*\])+)\s*(#.*)?$/;
const KEYWORD = /^((?:".*?")|(?:'.*?')|(?:[^'"=].*?))\s*=\s*(.*)$/;

function unquote(text: string): string {
  return text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0] ? text.slice(1, -1) : text;
}

/** Parses one single-line value, list or not; undefined when configobj would reject it. */
function parseInlineValue(text: string): ConfValue | undefined {
  if (/^,\s*(#.*)?$/.test(text)) return [];
  const items: string[] = [];
  let sawComma = false;
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length || text[i] === '#') {
      if (!sawComma && items.length === 0) return '';
      break;
    }
    const c = text[i] as string;
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return undefined;
      items.push(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === ',') {
      return undefined; // an empty list item
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '#') end++;
      items.push(text.slice(i, end).trimEnd());
      i = end;
    }
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length || text[i] === '#') break;
    if (text[i] !== ',') return undefined;
    sawComma = true;
    i++;
  }
  return sawComma ? items : (items[0] as string);
}

/**
 * Parses a configobj file. Sections nested deeper than one level (`[[sub]]`) are kept as text in
 * their parent section's `text` but not parsed into entries: certbot writes none.
 *
 * @throws RenewalConfError naming the line configobj (and so certbot) would reject.
 */
export function parseConfigObj(source: string, path: string): ConfDocument {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const sections: { name: string | null; entries: ConfEntry[]; lines: string[]; line: number; nested: boolean }[] = [
    { name: null, entries: [], lines: [], line: 1, nested: false },
  ];
  let current = sections[0] as (typeof sections)[number];
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] as string;
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      current.lines.push(raw);
      continue;
    }
    const section = SECTION.exec(line);
    if (section) {
      const depth = (section[1] as string).replace(/\s/g, '').length;
      if (depth !== (section[3] as string).replace(/\s/g, '').length) throw new RenewalConfError(path, 'unbalanced [ ] in a section header', { line: lineNo });
      if (depth > 1) {
        current.nested = true;
        current.lines.push(raw);
        continue;
      }
      const name = unquote((section[2] as string).trim());
      if (sections.some((s) => s.name === name)) throw new RenewalConfError(path, `the section [${name}] appears twice`, { line: lineNo });
      current = { name, entries: [], lines: [raw], line: lineNo, nested: false };
      sections.push(current);
      continue;
    }
    const keyword = KEYWORD.exec(line);
    if (!keyword) throw new RenewalConfError(path, 'expected "key = value", a [section] or a # comment', { line: lineNo });
    const key = unquote((keyword[1] as string).trim());
    const valueText = keyword[2] as string;
    const entryLines = [raw];
    let value: ConfValue | undefined;
    const triple = /^('''|""")/.exec(valueText)?.[1];
    if (triple !== undefined) {
      const rest = valueText.slice(3);
      // configobj's single-line pattern is anchored (`^'''(.*?)'''\s*(#.*)?$`), so a value may end
      // with the quote character itself: certbot writes `'''echo "$X" >> '/log''''` for `echo "$X" >> '/log'`.
      const single = new RegExp(`^([\\s\\S]*?)${triple}\\s*(#.*)?$`).exec(rest);
      const close = rest.indexOf(triple);
      if (single) {
        value = single[1] as string;
      } else if (close >= 0) {
        throw new RenewalConfError(path, 'text after a closing triple quote', { line: lineNo });
      } else {
        const parts = [rest];
        for (;;) {
          index++;
          if (index >= lines.length) throw new RenewalConfError(path, `the triple-quoted value of "${key}" is never closed`, { line: lineNo });
          const next = lines[index] as string;
          entryLines.push(next);
          const end = next.indexOf(triple);
          if (end >= 0) {
            if (!/^\s*(#.*)?$/.test(next.slice(end + 3))) throw new RenewalConfError(path, 'text after a closing triple quote', { line: index + 1 });
            parts.push(next.slice(0, end));
            break;
          }
          parts.push(next);
        }
        value = parts.join('\n');
      }
    } else {
      value = parseInlineValue(valueText);
      if (value === undefined) throw new RenewalConfError(path, `the value of "${key}" is not valid configobj syntax (quote it)`, { line: lineNo });
    }
    if (current.nested) throw new RenewalConfError(path, `"${key}" follows a nested [[section]]; acmeflow reads no nested sections`, { line: lineNo });
    if (current.entries.some((e) => e.key === key)) throw new RenewalConfError(path, `"${key}" is set twice in the same section`, { line: lineNo });
    current.entries.push({ key, value, line: lineNo, text: entryLines.join('\n') });
    current.lines.push(...entryLines);
  }
  return { sections: sections.map((s) => ({ name: s.name, entries: s.entries, text: s.lines.join('\n'), line: s.line })) };
}

/**
 * Writes one value so that configobj reads back exactly `value`: bare when that is unambiguous,
 * else in the first kind of quotes the text does not contain (configobj has no escapes).
 *
 * @example
 * formatConfValue('91 days') // → '91 days'
 * formatConfValue(['example.com', 'www.example.com']) // → 'example.com, www.example.com'
 * formatConfValue('{"a":1,"b":2}') // → '\'{"a":1,"b":2}\''
 */
export function formatConfValue(value: ConfValue): string {
  if (typeof value !== 'string') {
    if (value.length === 0) return ',';
    // A one-item list needs the trailing comma to stay a list in configobj.
    return value.length === 1 ? `${formatListItem(value[0] as string)},` : value.map(formatListItem).join(', ');
  }
  if (value === '') return '""';
  if (isBare(value)) return value;
  if (!/[\r\n]/.test(value)) {
    if (!value.includes('"')) return `"${value}"`;
    if (!value.includes("'")) return `'${value}'`;
  }
  if (!value.includes('"""') && !value.endsWith('"')) return `"""${value}"""`;
  if (!value.includes("'''") && !value.endsWith("'")) return `'''${value}'''`;
  throw new RangeError('the value holds every kind of configobj quote and cannot be written');
}

function isBare(value: string): boolean {
  return /^[^\s'",#][^'",#\r\n]*$/.test(value) && value === value.trimEnd();
}

function formatListItem(item: string): string {
  if (item !== '' && isBare(item)) return item;
  if (!/[\r\n]/.test(item) && !item.includes('"')) return `"${item}"`;
  if (!/[\r\n]/.test(item) && !item.includes("'")) return `'${item}'`;
  throw new RangeError('a list item holds both kinds of quotes or a line break and cannot be written');
}
