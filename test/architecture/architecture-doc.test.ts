import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * ARCHITECTURE.md and the folder guides it links name real files: every repository path written in
 * backticks, and every relative link, must exist, so a move or a rename that forgets the documents
 * fails here instead of leaving them to rot.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The documents checked, repo-relative. */
const DOCUMENTS = ['ARCHITECTURE.md', 'engine/README.md', 'functions/README.md'];

/**
 * First segments of paths the documents name that are not in the repository: the stores' layout
 * (`renewal/<name>.json`, `live/<name>/cert.pem`, the S3 prefixes, certbot's `accounts/`), the
 * secret name prefix (`acmeflow/`) and the AWS-managed KMS key alias (`aws/secretsmanager`).
 */
const NOT_REPO_ROOTS = new Set(['renewal', 'live', 'archive', 'locks', 'sweeps', 'deploy', 'accounts', 'acmeflow', 'aws', 'keys', 'deploys']);

/** Backticked spans outside fenced code blocks, and the targets of relative Markdown links. */
function pathsIn(markdown: string): { backticked: string[]; links: string[] } {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const backticked = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.replace(/#.*$/, ''));
  return { backticked, links };
}

/**
 * Whether a backticked span is meant as a repository path: `dir/...` with no spaces; not a storage
 * key, and not a module specifier relative to some importer (`./aws-deps.ts`).
 */
function isRepoPath(span: string): boolean {
  if (!span.includes('/') || /\s/.test(span) || span.startsWith('./') || span.startsWith('../')) return false;
  const first = span.split('/')[0]!;
  return /^[A-Za-z0-9_.-]+$/.test(first) && !NOT_REPO_ROOTS.has(first);
}

/** One path segment as a pattern: `<name>` stands for any one name, `*` for any characters, `{a,b}` for either. */
function segmentPattern(segment: string): RegExp | undefined {
  if (!/[<*{]/.test(segment)) return undefined;
  let source = '';
  for (const part of segment.split(/(<[^>]+>|\*|\{[^}]+\})/)) {
    if (part.startsWith('<')) source += '[^/]+';
    else if (part === '*') source += '[^/]*';
    else if (part.startsWith('{')) source += `(?:${part.slice(1, -1).split(',').map(escape).join('|')})`;
    else source += escapeRegExp(part);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `repoPath` (placeholders allowed; a trailing `/` means a directory) matches something under `root`. */
function exists(root: string, repoPath: string): boolean {
  const wantDir = repoPath.endsWith('/');
  const segments = repoPath.split('/').filter((s) => s !== '' && s !== '.');
  const walk = (dir: string, i: number): boolean => {
    if (i === segments.length) return !wantDir || statSync(dir).isDirectory();
    const segment = segments[i]!;
    if (segment === '..') return walk(path.dirname(dir), i + 1);
    const pattern = segmentPattern(segment);
    if (!pattern) {
      const next = path.join(dir, segment);
      return existsSync(next) && walk(next, i + 1);
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
    return readdirSync(dir).some((name) => pattern.test(name) && walk(path.join(dir, name), i + 1));
  };
  return walk(root, 0);
}

/** Every path a document names that does not exist: "document: `path`" or "document: link". */
function missingPaths(root: string, document: string, markdown: string): string[] {
  const { backticked, links } = pathsIn(markdown);
  const missing: string[] = [];
  for (const span of backticked) if (isRepoPath(span) && !exists(root, span)) missing.push(`${document}: \`${span}\``);
  const base = path.dirname(path.join(root, document));
  for (const link of links) if (!exists(base, link)) missing.push(`${document}: (${link})`);
  return missing;
}

/**
 * The team's style and design notes live outside the repository, so a comment citing them points
 * nowhere for a reader of the code; comments point to ARCHITECTURE.md or say the reason inline.
 * The pattern is assembled so that this file does not match itself.
 */
const OUTSIDE_DOCUMENTS = new RegExp(`\\b(?:${['STYLE', 'DESIGN'].join('|')})\\.md\\b`);

/** "file:line" of every line in `files` (repo-relative path → content) that cites a document outside the repository. */
function outsideCitations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, content] of files) {
    content.split('\n').forEach((line, i) => {
      if (OUTSIDE_DOCUMENTS.test(line)) out.push(`${file}:${i + 1}`);
    });
  }
  return out;
}

/** Every source and documentation file of the repository (not node_modules, not git's, not build output). */
function repositoryFiles(): Map<string, string> {
  const skip = new Set(['node_modules', '.git', 'dist', 'cdk.out', 'coverage', '.tmp']);
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|mts|mjs|js|md)$/.test(entry.name)) files.set(rel, readFileSync(path.join(ROOT, rel), 'utf8'));
    }
  };
  walk('.');
  return files;
}

describe('ARCHITECTURE.md and the folder guides', () => {
  it('name only paths that exist', () => {
    let checked = 0;
    const missing: string[] = [];
    for (const document of DOCUMENTS) {
      const markdown = readFileSync(path.join(ROOT, document), 'utf8');
      const { backticked, links } = pathsIn(markdown);
      checked += backticked.filter(isRepoPath).length + links.length;
      missing.push(...missingPaths(ROOT, document, markdown));
    }
    expect(checked).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('is linked from the README', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.includes('](ARCHITECTURE.md)'), 'README.md links ARCHITECTURE.md').toBe(true);
  });

  it('catches a missing file, folder, placeholder match and link, and leaves storage keys and commands alone', () => {
    const markdown = [
      '`shared/store/no-such-port.ts` `harness/nowhere/` `functions/<step>/no-handler.ts` [gone](engine/GONE.md)',
      '`shared/workflow/deps.ts` `functions/<step>/aws-deps.ts` `shared/workflow/machines/asl/*.asl.json` `shared/dns/providers/{route53,rfc2136}/`',
      '`renewal/<name>.json` `live/<name>/cert.pem` `./aws-deps.ts` `npx vitest run test/architecture` [README](README.md) [RFC](https://www.rfc-editor.org/rfc/rfc8555)',
      '```\n`shared/in-a-code-block.ts`\n```',
      '`shared/workflow/deps.ts/` `ARCHITECTURE.md/`',
    ].join('\n');
    expect(missingPaths(ROOT, 'ARCHITECTURE.md', markdown)).toEqual([
      'ARCHITECTURE.md: `shared/store/no-such-port.ts`',
      'ARCHITECTURE.md: `harness/nowhere/`',
      'ARCHITECTURE.md: `functions/<step>/no-handler.ts`',
      'ARCHITECTURE.md: `shared/workflow/deps.ts/`',
      'ARCHITECTURE.md: `ARCHITECTURE.md/`',
      'ARCHITECTURE.md: (engine/GONE.md)',
    ]);
  });

  it('are what comments cite: no file cites the style or design notes kept outside the repository', () => {
    const files = repositoryFiles();
    expect(files.size).toBeGreaterThan(300);
    expect(outsideCitations(files)).toEqual([]);
  });

  it('catches a planted citation of each outside document, and not ARCHITECTURE.md', () => {
    const planted = new Map([
      ['shared/a.ts', ['/**', ` * Literal names (${'STYLE'}.md §7).`, ' */'].join('\n')],
      ['engine/README.md', `As ${'DESIGN'}.md draws it.`],
      ['shared/b.ts', '// Literal names (ARCHITECTURE.md, "Error model"); MY-STYLE.mdx is not one either.'],
    ]);
    expect(outsideCitations(planted)).toEqual(['shared/a.ts:2', 'engine/README.md:1']);
  });
});
