import { describe, expect, it } from 'vitest';
import { formatConfValue, parseConfigObj } from '../../../../shared/store/filesystem/configobj.js';

/** A conf as certbot 2.x writes it (`certbot certonly --dns-route53 -d example.com`). */
const CERTBOT_CONF = `# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/example.com
cert = /etc/letsencrypt/live/example.com/cert.pem
privkey = /etc/letsencrypt/live/example.com/privkey.pem
chain = /etc/letsencrypt/live/example.com/chain.pem
fullchain = /etc/letsencrypt/live/example.com/fullchain.pem

# Options used in the renewal process
[renewalparams]
account = 0123456789abcdef0123456789abcdef
authenticator = dns-route53
server = https://acme-v02.api.letsencrypt.org/directory
key_type = ecdsa
pref_challs = dns-01,
`;

function value(text: string): unknown {
  const entry = parseConfigObj(`k = ${text}\n`, 'test.conf').sections[0]?.entries[0];
  return entry?.value;
}

describe('parseConfigObj', () => {
  it("reads certbot's own renewal conf: top-level keys, then [renewalparams]", () => {
    const doc = parseConfigObj(CERTBOT_CONF, 'example.com.conf');
    expect(doc.sections.map((s) => s.name)).toEqual([null, 'renewalparams']);
    expect(doc.sections[0]?.entries.map((e) => [e.key, e.value])).toEqual([
      ['version', '2.1.0'],
      ['archive_dir', '/etc/letsencrypt/archive/example.com'],
      ['cert', '/etc/letsencrypt/live/example.com/cert.pem'],
      ['privkey', '/etc/letsencrypt/live/example.com/privkey.pem'],
      ['chain', '/etc/letsencrypt/live/example.com/chain.pem'],
      ['fullchain', '/etc/letsencrypt/live/example.com/fullchain.pem'],
    ]);
    const params = doc.sections[1];
    expect(params?.entries.find((e) => e.key === 'pref_challs')?.value).toEqual(['dns-01']);
    expect(params?.entries.find((e) => e.key === 'account')).toMatchObject({ line: 11, text: 'account = 0123456789abcdef0123456789abcdef' });
  });

  it("reads values the way configobj does: comments, quotes, lists, empty values", () => {
    expect(value('91 days  # more than the lifetime')).toBe('91 days');
    expect(value('a#b')).toBe('a');
    expect(value("it's")).toBe("it's");
    expect(value('"a, b # c"')).toBe('a, b # c');
    expect(value("'say \"hi\"' # note")).toBe('say "hi"');
    expect(value('a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(value('"a,1", \'b#2\'')).toEqual(['a,1', 'b#2']);
    expect(value('a,')).toEqual(['a']);
    expect(value(',')).toEqual([]);
    expect(value('')).toBe('');
    expect(value('""')).toBe('');
    expect(value('https://ca.example/dir?x=1=2')).toBe('https://ca.example/dir?x=1=2');
    expect(value('"""both \' and " here"""')).toBe('both \' and " here');
  });

  it("reads a triple-quoted value that ends with its own quote character, as certbot writes a hook quoting a path", () => {
    // configobj's single-line pattern is anchored, so the closing quotes are the last three.
    const doc = parseConfigObj(`renew_hook = '''echo "$RENEWED_LINEAGE" >> '/var/log/x.log''''\n`, 'test.conf');
    expect(doc.sections[0]?.entries[0]?.value).toBe(`echo "$RENEWED_LINEAGE" >> '/var/log/x.log'`);
    expect(() => parseConfigObj("k = '''a''' b\n", 'test.conf')).toThrow(/text after a closing triple quote/);
  });

  it('reads a multi-line triple-quoted value and keeps its lines for a rewrite', () => {
    const doc = parseConfigObj("[s]\nk = '''one\ntwo\nthree'''  # end\nnext = 1\n", 'test.conf');
    const [k, next] = doc.sections[1]?.entries ?? [];
    expect(k).toMatchObject({ value: 'one\ntwo\nthree', line: 2, text: "k = '''one\ntwo\nthree'''  # end" });
    expect(next).toMatchObject({ key: 'next', value: '1', line: 5 });
  });

  it('keeps nested sections as text without reading them, and CRLF files read like LF ones', () => {
    const doc = parseConfigObj('[other]\r\na = 1\r\n[[sub]]\r\n[top]\r\nb = 2\r\n', 'test.conf');
    expect(doc.sections.map((s) => s.name)).toEqual([null, 'other', 'top']);
    expect(doc.sections[1]?.text).toBe('[other]\na = 1\n[[sub]]');
    expect(doc.sections[2]?.entries[0]?.value).toBe('2');
  });

  it.each([
    ['k = "open', 1, 'not valid configobj syntax'],
    ['k = "a" b', 1, 'not valid configobj syntax'],
    ['k = a,,b', 1, 'not valid configobj syntax'],
    ['# c\njust words', 2, 'expected "key = value"'],
    ['k = 1\nk = 2', 2, 'set twice'],
    ['[a]\n[a]', 2, 'appears twice'],
    ['[a]]', 1, 'unbalanced'],
    ["k = '''never closed\nstill", 1, 'never closed'],
    ['[a]\n[[b]]\nk = 1', 3, 'nested'],
  ])('rejects %j at line %i like configobj, naming the line', (text, line, problem) => {
    let caught: unknown;
    try {
      parseConfigObj(text, '/etc/letsencrypt/renewal/x.conf');
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'RenewalConfError', line, path: '/etc/letsencrypt/renewal/x.conf' });
    expect((caught as Error).message).toContain(problem);
    expect((caught as Error).message).toContain(`line ${line}`);
  });
});

describe('formatConfValue', () => {
  it('leaves plain values bare, as certbot writes them', () => {
    expect(formatConfValue('91 days')).toBe('91 days');
    expect(formatConfValue('https://acme-v02.api.letsencrypt.org/directory')).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(formatConfValue(['example.com', 'www.example.com'])).toBe('example.com, www.example.com');
  });

  it('quotes what configobj would split, cut or unquote', () => {
    expect(formatConfValue('a, b')).toBe('"a, b"');
    expect(formatConfValue('{"a":1}')).toBe('\'{"a":1}\'');
    expect(formatConfValue(' padded ')).toBe('" padded "');
    expect(formatConfValue('')).toBe('""');
    expect(formatConfValue(['only'])).toBe('only,');
    expect(formatConfValue([])).toBe(',');
  });

  const tricky = [
    'plain',
    'with space',
    'a,b',
    'hash # inside',
    '#start',
    "it's",
    'say "x"',
    'both \' and "',
    ' lead',
    'trail ',
    '',
    'line\nbreak',
    '"quoted"',
    "'single'",
    'x = y',
    '[section]',
    '{"json":["a,b",1],"q":"\\u0027"}',
  ];
  it.each(tricky)('reads back exactly what it wrote: %j', (text) => {
    expect(parseConfigObj(`k = ${formatConfValue(text)}\n`, 't.conf').sections[0]?.entries[0]?.value).toBe(text);
  });

  it('reads back lists exactly, one item or many', () => {
    for (const list of [['one'], ['a', 'b c', 'd,e', "f'g", 'h#i'], []]) {
      expect(parseConfigObj(`k = ${formatConfValue(list)}\n`, 't.conf').sections[0]?.entries[0]?.value).toEqual(list);
    }
  });

  it('refuses a value no configobj quoting can hold, instead of writing a different one', () => {
    expect(() => formatConfValue('all \' " \'\'\' """ kinds\n')).toThrow(RangeError);
    expect(() => formatConfValue(['a\'b"c'])).toThrow(RangeError);
  });
});
