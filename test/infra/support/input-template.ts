/**
 * Renders an EventBridge input transformer against an event as EventBridge does: each `<name>` of the
 * template replaced by the value its `InputPathsMap` path selects — inside a JSON string, the string's
 * text (escaped, so the output stays valid JSON); elsewhere, the value as JSON (`null` when the path
 * selects nothing). Paths are the dot-and-index subset EventBridge supports.
 */
export function renderInputTransformer(transformer: { InputPathsMap?: Record<string, string>; InputTemplate: string }, event: Record<string, unknown>): string {
  const paths = transformer.InputPathsMap ?? {};
  const template = transformer.InputTemplate;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    const match = c === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (match && match[1]! in paths) {
      const value = select(event, paths[match[1]!]!);
      if (inString) out += value === undefined ? '' : JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value)).slice(1, -1);
      else out += value === undefined ? 'null' : JSON.stringify(value);
      i += match[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

function select(event: unknown, path: string): unknown {
  if (path === '$') return event;
  let at: unknown = event;
  for (const part of path.replace(/^\$\./, '').split('.')) {
    const indexed = /^([^[]+)\[(\d+)\]$/.exec(part);
    const key = indexed ? indexed[1]! : part;
    at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    if (indexed) at = Array.isArray(at) ? at[Number(indexed[2])] : undefined;
  }
  return at;
}
