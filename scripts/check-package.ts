/**
 * The package as its users get it (`npm run check:package`, run by .ci/run):
 *
 * 1. `npm pack` from this checkout (prepack builds dist/): every exports target, the bin and the
 *    docs are in the tarball; dist/ imports Node built-ins only with the `node:` prefix; no shipped
 *    file points outside the package (`../shared`); every relative link of the shipped markdown
 *    resolves inside the package; publint (strict) and arethetypeswrong (esm-only) pass.
 * 2. The tarball installed into a fresh temporary project: its install size is reported; the
 *    `medshare` bin answers --version and --help; `medshare check` fails with the
 *    missing-dependency message until fast-check is installed, then `medshare check --runs 5` passes.
 * 3. Every ```ts block of README.md, type-checked against the installed package with
 *    `skipLibCheck: false` under `moduleResolution: nodenext` (with Node's types) and `bundler`
 *    (a browser app: DOM types, no Node types), together with a file that uses the root entry's
 *    namespaces as types; then each block is run with Node.
 * 4. The root entry and each browser subpath bundled with esbuild for the browser: the build
 *    fails on any Node built-in; the minified and gzipped size of each is reported, and the size of
 *    medshare/pre the README states must be within 15% of the measured one.
 *
 * Exits 1 on the first failed check. `KEEP=1` keeps the temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
};

/** Subpaths that run in browsers (README, "Browsers"); the others are Node only. */
const BROWSER_SUBPATHS = ['', '/pre', '/sign', '/pbft', '/ledger', '/protocol', '/zk', '/testing'] as const;
/** Node-only subpaths. */
const NODE_ONLY_SUBPATHS = ['/ledger/file'] as const;

const started = Date.now();
const work = mkdtempSync(path.join(os.tmpdir(), 'medshare-package-'));
const app = path.join(work, 'app');
let failures = 0;

function log(message: string): void {
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
}

function fail(message: string): void {
  failures++;
  process.stdout.write(`FAIL: ${message}\n`);
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 600_000): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : entry.isFile() ? [full] : [];
  });
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} kB`;

// ---------------------------------------------------------------- 1. the tarball
function packAndInspect(): { tarball: string; unpacked: string } {
  log('npm pack (prepack builds dist/)');
  // The build's output comes first on stdout; the JSON report is the last thing npm prints.
  const output = run('npm', ['pack', '--json', '--pack-destination', work], root);
  const [packed] = JSON.parse(output.slice(output.startsWith('[') ? 0 : output.lastIndexOf('\n[\n') + 1)) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (packed === undefined) throw new Error('npm pack printed no package');
  const tarball = path.join(work, packed.filename);
  const files = new Set(packed.files.map((f) => f.path));
  log(`${packed.filename}: ${files.size} files, ${kb(statSync(tarball).size)} packed`);

  const required = [
    ...Object.values(pkg.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types, target.default])),
    ...Object.values(pkg.bin),
    'README.md',
    'LICENSE',
    'docs/schemes.md',
  ].map((p) => p.replace(/^\.\//, ''));
  for (const file of required) if (!files.has(file)) fail(`the tarball has no ${file}`);

  const unpacked = path.join(work, 'unpacked');
  mkdirSync(unpacked);
  run('tar', ['-xzf', tarball, '-C', unpacked], work);
  const packageDir = path.join(unpacked, 'package');

  // dist/ must name Node's built-ins as node:X: a bare 'fs' is a package name to a browser bundler.
  const bare = new RegExp(
    `(?:from\\s*|import\\s*\\(\\s*|import\\s+)['"](${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(?:/[^'"]*)?['"]`,
  );
  for (const file of walk(path.join(packageDir, 'dist')).filter((f) => f.endsWith('.js'))) {
    const match = readFileSync(file, 'utf8').match(bare);
    if (match) fail(`${path.relative(packageDir, file)} imports the Node built-in '${match[1]}' without the node: prefix`);
  }
  // Nothing shipped points outside the package.
  for (const file of walk(packageDir)) {
    if (!/\.(js|ts|md|json|map|circom)$/.test(file)) continue;
    if (/\.\.\/shared\b|\bshared\/docs\b/.test(readFileSync(file, 'utf8'))) {
      fail(`${path.relative(packageDir, file)} points outside the package (../shared)`);
    }
  }
  // Every relative link of the shipped markdown resolves inside the package.
  for (const file of walk(packageDir).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(file, 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (target === undefined || /^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const resolved = path.resolve(path.dirname(file), decodeURI(target.split('#')[0] as string));
      if (!resolved.startsWith(packageDir) || !existsSync(resolved)) {
        fail(`${path.relative(packageDir, file)} links to ${target}, which is not in the package`);
      }
    }
  }
  log('publint --strict; attw --profile esm-only');
  run(path.join(root, 'node_modules/.bin/publint'), ['run', tarball, '--strict'], root);
  run(path.join(root, 'node_modules/.bin/attw'), [tarball, '--profile', 'esm-only'], root);
  return { tarball, unpacked: packageDir };
}

// ---------------------------------------------------------------- 2. a fresh project
function installInFreshProject(tarball: string): number {
  mkdirSync(app);
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: 'medshare-package-check', private: true, type: 'module' }, null, 2)}\n`,
  );
  log(`npm install ${path.basename(tarball)} in a fresh project`);
  const installed = run('npm', ['install', '--no-audit', '--no-fund', tarball], app);
  const added = installed.match(/added (\d+) packages?/)?.[1] ?? '?';
  const files = walk(path.join(app, 'node_modules'));
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  log(`install size: ${mb(bytes)} in node_modules (${files.length} files, ${added} packages)`);

  const bin = path.join(app, 'node_modules', '.bin', 'medshare');
  const version = run(bin, ['--version'], app).trim();
  if (version !== pkg.version) fail(`medshare --version printed '${version}', expected ${pkg.version}`);
  if (!run(bin, ['demo', '--help'], app).startsWith('usage: medshare demo')) fail('medshare demo --help printed no usage');
  checkCommand(bin);
  return bytes;
}

/**
 * `medshare check` from the installed package: without the optional peer fast-check it fails with
 * ERR_MISSING_DEPENDENCY's message (exit 1); with fast-check installed (the version medshare is
 * tested with), `medshare check --runs 5` runs every law and passes.
 */
function checkCommand(bin: string): void {
  const missing = spawnSync(bin, ['check', '--runs', '1'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  if (
    missing.status !== 1 ||
    !/medshare\/testing needs fast-check \(MIT, optional peer dependency of medshare\), which is not installed: npm install fast-check/.test(
      missing.stderr,
    )
  )
    fail(
      `medshare check without fast-check: expected exit 1 and the missing-dependency message, got ${missing.status}: ${missing.stderr}`,
    );
  const devVersion = (
    JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
  ).devDependencies['fast-check'];
  log(`npm install fast-check@${devVersion} (medshare/testing's optional peer dependency)`);
  run('npm', ['install', '--no-audit', '--no-fund', '--save-dev', `fast-check@${devVersion}`], app);
  log('medshare check --runs 5');
  const result = spawnSync(bin, ['check', '--runs', '5'], { cwd: app, encoding: 'utf8', timeout: 600_000 });
  const summary = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !/ held, 0 failed/.test(summary))
    fail(`medshare check --runs 5 exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  else log(`medshare check: ${summary}`);
}

// ---------------------------------------------------------------- 3. the README's examples
async function readmeExamples(): Promise<void> {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  if (blocks.length === 0) fail('README.md has no ```ts blocks');
  const dir = path.join(app, 'readme');
  mkdirSync(dir);
  blocks.forEach((code, i) => {
    writeFileSync(path.join(dir, `example-${i + 1}.ts`), `${code}\nexport {};\n`);
  });
  // The root entry's namespaces, used as types and values, and every subpath imported.
  writeFileSync(
    path.join(dir, 'types.ts'),
    [
      "import * as root from 'medshare';",
      "import type { Ga07Params } from 'medshare/pre';",
      "import type { ProofSystem } from 'medshare/protocol';",
      ...[...BROWSER_SUBPATHS, ...NODE_ONLY_SUBPATHS]
        .filter((s) => s !== '')
        .map((s, i) => `import * as sub${i} from 'medshare${s}';`),
      'export type Params = root.pre.Ga07Params;',
      'export type System = root.protocol.ProofSystem;',
      'export const same: [Params extends Ga07Params ? true : false, System extends ProofSystem ? true : false] = [true, true];',
      'export const entries = [root.pre.ga07, root.sign.authSign, root.pbft, root.ledger.verifyChain, root.protocol.runStory];',
      `export const subpaths = [${[...BROWSER_SUBPATHS, ...NODE_ONLY_SUBPATHS]
        .filter((s) => s !== '')
        .map((_, i) => `sub${i}`)
        .join(', ')}];`,
      '',
    ].join('\n'),
  );
  const common = { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', isolatedModules: true };
  const configs = {
    nodenext: {
      ...common,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2022'],
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules', '@types')],
    },
    bundler: { ...common, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [] },
  };
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [name, compilerOptions] of Object.entries(configs)) {
    const config = path.join(app, `tsconfig.${name}.json`);
    writeFileSync(config, JSON.stringify({ compilerOptions, include: ['readme/*.ts'] }, null, 2));
    log(`tsc, moduleResolution ${name}, skipLibCheck false: ${blocks.length} README blocks and the root namespaces as types`);
    const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: app, encoding: 'utf8' });
    if (result.status !== 0) fail(`type errors under moduleResolution ${name}:\n${result.stdout}${result.stderr}`);
  }
  for (const [i, code] of blocks.entries()) {
    const file = path.join(dir, `example-${i + 1}.mjs`);
    writeFileSync(file, (await transform(code, { loader: 'ts', format: 'esm', target: 'es2022' })).code);
    const t = Date.now();
    const result = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 300_000 });
    if (result.status !== 0) fail(`README example ${i + 1} failed (exit ${result.status ?? result.signal}):\n${result.stderr}`);
    else log(`README example ${i + 1} ran (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
}

// ---------------------------------------------------------------- 4. browser bundles
async function browserBundles(): Promise<Record<string, number>> {
  const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const sizes: Record<string, number> = {};
  for (const subpath of BROWSER_SUBPATHS) {
    const name = `medshare${subpath}`;
    try {
      const result = await build({
        stdin: { contents: `export * from '${name}';`, resolveDir: app, loader: 'js' },
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        minify: true,
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      const builtin = inputs.find((input) => nodeBuiltins.has(input) || input.startsWith('node:'));
      if (builtin !== undefined) fail(`${name} pulls in the Node built-in ${builtin}`);
      const code = result.outputFiles[0]?.contents ?? new Uint8Array();
      sizes[name] = gzipSync(code, { level: 9 }).length;
      log(`browser bundle ${name.padEnd(18)} ${kb(code.length).padStart(9)} minified, ${kb(sizes[name]).padStart(8)} min+gzip`);
    } catch (error) {
      const errors = (error as { errors?: { text: string }[] }).errors;
      fail(`${name} does not bundle for the browser: ${errors?.map((e) => e.text).join('; ') ?? String(error)}`);
    }
  }
  const pre = sizes['medshare/pre'];
  const stated = readFileSync(path.join(root, 'README.md'), 'utf8').match(
    /`medshare\/pre`[^\n]*?\*\*([\d.]+) kB\*\*\s+minified\s+and\s+gzipped/,
  );
  if (pre !== undefined) {
    if (stated === null) fail('README.md does not state the min+gzip size of medshare/pre ("**N kB** minified and gzipped")');
    else if (Math.abs(Number(stated[1]) * 1e3 - pre) > 0.15 * pre) {
      fail(`README.md says medshare/pre is ${stated[1]} kB min+gzip; the build measures ${kb(pre)}: update the README`);
    }
  }
  return sizes;
}

try {
  const { tarball } = packAndInspect();
  const installBytes = installInFreshProject(tarball);
  await readmeExamples();
  const sizes = await browserBundles();
  const summary = { installBytes, bundles: sizes };
  writeFileSync(path.join(work, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(
    `summary: install ${mb(installBytes)}; min+gzip ${Object.entries(sizes)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(', ')}`,
  );
} catch (error) {
  fail((error as Error).message);
} finally {
  if (process.env.KEEP === undefined) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
if (failures > 0) {
  process.stdout.write(`package check: ${failures} failure(s)\n`);
  process.exit(1);
}
log('package check passed');
