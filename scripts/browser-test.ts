/**
 * The browser example (examples/browser) in a real browser: type-checks the page against the
 * package's declarations as a browser app would (DOM types, no Node types), bundles it with
 * esbuild for the browser (medshare/* resolve to this package's dist/, so run `npm run build`
 * first), serves it on 127.0.0.1, opens it in Debian's headless Chromium driven by playwright-core,
 * and checks every result the page reports. Run by .ci/run (`npm run test:browser`).
 *
 *   npx tsx scripts/browser-test.ts            the test (exit 1 on any failed check)
 *   npx tsx scripts/browser-test.ts --serve    build and serve only, to open the page yourself
 *
 * CHROMIUM overrides the browser's path (default /usr/bin/chromium).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

interface Result {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

const root = path.resolve(import.meta.dirname, '..');
const example = path.join(root, 'examples', 'browser');
const serveOnly = process.argv.includes('--serve');
const started = Date.now();
const log = (message: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

// 1. Type-check the page as a browser application.
const tsc = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(example, 'tsconfig.json')],
  {
    encoding: 'utf8',
  },
);
if (tsc.status !== 0) {
  process.stdout.write(`FAIL: examples/browser does not type-check:\n${tsc.stdout}${tsc.stderr}\n`);
  process.exit(1);
}
log('examples/browser/main.ts type-checks (DOM, no Node types, skipLibCheck false)');

// 2. Bundle it for the browser: any Node built-in fails the build.
const bundle = await build({
  entryPoints: [path.join(example, 'main.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outdir: path.join(example, 'dist'),
  metafile: true,
  logLevel: 'warning',
});
const output = Object.entries(bundle.metafile.outputs).find(([file]) => file.endsWith('main.js'));
log(`bundled examples/browser/dist/main.js: ${((output?.[1].bytes ?? 0) / 1e3).toFixed(0)} kB minified`);

// 3. Serve the folder on the loopback interface.
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const file = path.join(example, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
  if (!file.startsWith(example)) {
    response.writeHead(403).end();
    return;
  }
  try {
    const body = readFileSync(file);
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
if (serveOnly) {
  log(`serving ${url} (Ctrl-C to stop)`);
} else {
  const code = await inChromium(url);
  server.close();
  process.exit(code);
}

async function inChromium(pageUrl: string): Promise<number> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'medshare-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // As Debian's chromium runs here: as root, no GPU, and no background connections to the
    // (closed) network.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const problems: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    log(`chromium ${context.browser()?.version() ?? ''} opens ${pageUrl}`);
    await page.goto(pageUrl);
    // The page sets medshareResults.done after its last check, passed or failed.
    type PageGlobal = { medshareResults?: { done: boolean; results: Result[] } };
    await page.waitForFunction(() => (globalThis as PageGlobal).medshareResults?.done === true, undefined, {
      timeout: 180_000,
      polling: 500,
    });
    const results = await page.evaluate(() => (globalThis as PageGlobal).medshareResults?.results ?? []);
    for (const r of results) log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms.toFixed(0)} ms): ${r.detail}`);
    const expected = 13;
    if (results.length !== expected) problems.push(`the page reported ${results.length} checks, expected ${expected}`);
    for (const r of results) if (!r.ok) problems.push(`${r.name}: ${r.detail}`);
    const status = await page.textContent('#status');
    log(`page status: ${status}`);
  } catch (error) {
    problems.push((error as Error).message);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  for (const problem of problems) process.stdout.write(`FAIL: ${problem}\n`);
  log(problems.length === 0 ? 'browser test passed' : `browser test: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}
