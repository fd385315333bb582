/**
 * Every TypeScript example in README.md runs as written (imports of `medshare/...` resolve to
 * src/ through the vitest aliases), so the documentation cannot drift from the API.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);

describe('README examples', () => {
  it('the README has TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  blocks.forEach((code, index) => {
    it(`example ${index + 1} runs without throwing`, async () => {
      const dir = path.join(root, 'node_modules', '.cache', 'medshare-readme');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `example-${index + 1}.ts`);
      writeFileSync(file, `${code}\nexport const ran = true;\n`);
      const module = (await import(/* @vite-ignore */ file)) as { ran: boolean };
      expect(module.ran).toBe(true);
    });
  });
});
