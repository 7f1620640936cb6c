/**
 * The little XML the Route 53 fake needs: parse the request bodies the SDK sends (elements and text,
 * no attributes beyond `xmlns`, no mixed content) and escape text for the responses it writes.
 */

/** One parsed element: its local name, its child elements and its text. */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/**
 * Parse an XML document into its root element.
 *
 * @example
 * ```ts
 * parseXml('<a><b>x &amp; y</b></a>').children[0]?.text; // 'x & y'
 * ```
 */
export function parseXml(source: string): XmlElement {
  const body = source.replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|([^<]+)/g;
  for (let match = tag.exec(body); match; match = tag.exec(body)) {
    const [, closing, qualifiedName, , selfClosing, text] = match;
    if (text !== undefined) {
      const parent = stack.at(-1);
      if (parent) parent.text += decodeEntities(text);
      continue;
    }
    const name = (qualifiedName ?? '').replace(/^.*:/, '');
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`malformed XML: </${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const element: XmlElement = { name, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (!root || stack.length > 0) throw new Error('malformed XML: unclosed or missing root element');
  return root;
}

/** The first child element called `name`, if any. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Every child element called `name`. */
export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => c.name === name) ?? [];
}

/** Escape text for an XML element body. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `<name>escaped text</name>`, or nothing when `value` is undefined. */
export function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}
