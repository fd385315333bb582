/**
 * The API site's module overviews: every entry point of typedoc.json opens with a doc comment
 * whose first paragraph (what TypeDoc shows as the module's summary, with
 * useFirstParagraphOfCommentAsSummary) is prose, and which is marked `@module`; no source file
 * puts `@module` before its summary (TypeDoc would then show an empty one).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const typedoc = JSON.parse(readFileSync(path.join(root, 'typedoc.json'), 'utf8')) as {
  entryPoints: string[];
  useFirstParagraphOfCommentAsSummary?: boolean;
};

/** The lines of a file's leading doc comment, without the comment markers. */
function moduleComment(file: string): string[] | undefined {
  const text = readFileSync(path.join(root, file), 'utf8');
  const match = /^\/\*\*\n([\s\S]*?)\n \*\//.exec(text);
  return match?.[1]?.split('\n').map((line) => line.replace(/^ \* ?/, '').replace(/^ \*$/, ''));
}

/** The first paragraph: lines up to the first blank line or block tag. */
function firstParagraph(lines: readonly string[]): string {
  const out: string[] = [];
  for (const line of lines) {
    if (line.trim() === '' || line.trimStart().startsWith('@')) break;
    out.push(line.trim());
  }
  return out.join(' ');
}

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

describe('module overviews', () => {
  it('TypeDoc takes the first paragraph as the summary', () => {
    expect(typedoc.useFirstParagraphOfCommentAsSummary).toBe(true);
  });

  it.each(typedoc.entryPoints)('%s opens with a summary and is marked @module', (entry) => {
    const lines = moduleComment(entry);
    expect(lines, `${entry} has no leading doc comment`).toBeDefined();
    expect(firstParagraph(lines ?? []).length).toBeGreaterThan(40);
    expect(lines).toContain('@module');
  });

  it('no source file puts @module before its summary', () => {
    const offenders = [...sources('src'), ...sources('bench')].filter((file) => {
      const lines = moduleComment(file);
      return lines !== undefined && firstParagraph(lines) === '' && lines.includes('@module');
    });
    expect(offenders).toEqual([]);
  });
});
