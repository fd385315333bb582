/**
 * The package as its users get it (`npm run check:package`, run by .ci/run):
 *
 * 1. `npm pack` from this checkout (prepack builds dist/): every exports target, the bin and the
 *    docs are in the tarball; dist/ imports Node built-ins only with the `node:` prefix; no shipped
 *    file points outside the package (`../shared`); every relative link of the shipped markdown
 *    resolves inside the package; publint (strict) and arethetypeswrong (esm-only) pass.
 * 2. The tarball installed into a fresh temporary project: its install size is reported; the
 *    `medshare` bin answers --version and --help, and `demo --ledger evm` says in one line that
 *    it needs the optional peers. Then the optional peer dependencies of the subpaths that need
 *    them (`medshare/evm`: viem) are installed at the versions this repository tests, and their
 *    size is reported apart.
 * 3. Every ```ts block of README.md, type-checked against the installed package with
 *    `skipLibCheck: false` under `moduleResolution: nodenext` (with Node's types) and `bundler`
 *    (a browser app: DOM types, no Node types), together with a file that uses the root entry's
 *    namespaces as types and one per subpath with optional peers; under nodenext, the files that
 *    import medshare/evm also get lib DOM, which viem's declarations need; then each block is run
 *    with Node.
 * 4. The root entry and each browser subpath (medshare/evm with viem) bundled with esbuild for
 *    the browser: the build fails on any Node built-in; the minified and gzipped size of each is reported, and the size of
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
  devDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** Subpaths that run in browsers (README, "Browsers"); the others are Node only. */
const BROWSER_SUBPATHS = ['', '/pre', '/sign', '/pbft', '/ledger', '/protocol', '/zk', '/evm'] as const;
/** Node-only subpaths. */
const NODE_ONLY_SUBPATHS = ['/ledger/file'] as const;
/**
 * Optional peer dependencies (package.json peerDependenciesMeta) that a subpath needs, installed
 * after the plain install has been checked. The in-process EVM's peers (@ethereumjs/*) serve only
 * `medshare demo --ledger evm`, which is not run here (it compiles a circuit and proves).
 */
const SUBPATH_PEERS: Readonly<Record<string, readonly string[]>> = { '/evm': ['viem'] };

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

function spawn(command: string, args: readonly string[], cwd: string, timeoutMs = 600_000) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 });
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 600_000): string {
  const result = spawn(command, args, cwd, timeoutMs);
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
  const bytes = nodeModulesBytes();
  log(`install size: ${mb(bytes)} in node_modules (${walk(path.join(app, 'node_modules')).length} files, ${added} packages)`);

  const bin = path.join(app, 'node_modules', '.bin', 'medshare');
  const version = run(bin, ['--version'], app).trim();
  if (version !== pkg.version) fail(`medshare --version printed '${version}', expected ${pkg.version}`);
  if (!run(bin, ['demo', '--help'], app).startsWith('usage: medshare demo')) fail('medshare demo --help printed no usage');
  // Without the optional peers, the EVM demo fails at once, on one line, exit 1 (nothing compiled).
  const evmDemo = spawn(bin, ['demo', '--ledger', 'evm'], app, 60_000);
  if (evmDemo.status !== 1 || !/^medshare demo: error: --ledger evm needs viem and @ethereumjs\/vm/.test(evmDemo.stderr)) {
    fail(`medshare demo --ledger evm without its peers: exit ${evmDemo.status}, stderr ${JSON.stringify(evmDemo.stderr)}`);
  }
  return bytes;
}

function nodeModulesBytes(): number {
  return walk(path.join(app, 'node_modules')).reduce((sum, f) => sum + statSync(f).size, 0);
}

/** Installs the optional peers the subpaths need, at the versions this repository tests with. */
function installSubpathPeers(baseBytes: number): void {
  const peers = [...new Set(Object.values(SUBPATH_PEERS).flat())];
  for (const peer of peers) {
    if (pkg.peerDependenciesMeta?.[peer]?.optional !== true) fail(`${peer} is not an optional peer dependency in package.json`);
    if (pkg.devDependencies[peer] === undefined) fail(`${peer}: no pinned version in devDependencies to test with`);
  }
  const specs = peers.map((peer) => `${peer}@${pkg.devDependencies[peer]}`);
  log(
    `npm install ${specs.join(' ')} (optional peers of ${Object.keys(SUBPATH_PEERS)
      .map((s) => `medshare${s}`)
      .join(', ')})`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', ...specs], app);
  const bytes = nodeModulesBytes();
  log(`with them: ${mb(bytes)} in node_modules (+${mb(bytes - baseBytes)})`);
}

// ---------------------------------------------------------------- 3. the README's examples
async function readmeExamples(): Promise<void> {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  if (blocks.length === 0) fail('README.md has no ```ts blocks');
  const dir = path.join(app, 'readme');
  mkdirSync(dir);
  // Files that import a subpath with optional peers (medshare/evm: viem) are checked apart under
  // nodenext: see VIEM_NEEDS_DOM.
  const withPeers = (code: string) => Object.keys(SUBPATH_PEERS).some((s) => code.includes(`from 'medshare${s}'`));
  const plain: string[] = [];
  const peered: string[] = [];
  blocks.forEach((code, i) => {
    writeFileSync(path.join(dir, `example-${i + 1}.ts`), `${code}\nexport {};\n`);
    (withPeers(code) ? peered : plain).push(`readme/example-${i + 1}.ts`);
  });
  // The root entry's namespaces, used as types and values, and every subpath imported (those with
  // optional peers in a file of their own).
  const subpaths = [...BROWSER_SUBPATHS, ...NODE_ONLY_SUBPATHS].filter((s) => s !== '' && SUBPATH_PEERS[s] === undefined);
  writeFileSync(
    path.join(dir, 'types.ts'),
    [
      "import * as root from 'medshare';",
      "import type { Ga07Params } from 'medshare/pre';",
      "import type { ProofSystem } from 'medshare/protocol';",
      ...subpaths.map((s, i) => `import * as sub${i} from 'medshare${s}';`),
      'export type Params = root.pre.Ga07Params;',
      'export type System = root.protocol.ProofSystem;',
      'export const same: [Params extends Ga07Params ? true : false, System extends ProofSystem ? true : false] = [true, true];',
      'export const entries = [root.pre.ga07, root.sign.authSign, root.pbft, root.ledger.verifyChain, root.protocol.runStory];',
      `export const subpaths = [${subpaths.map((_, i) => `sub${i}`).join(', ')}];`,
      '',
    ].join('\n'),
  );
  plain.push('readme/types.ts');
  Object.keys(SUBPATH_PEERS).forEach((s, i) => {
    writeFileSync(path.join(dir, `peers-${i + 1}.ts`), `import * as sub from 'medshare${s}';\nexport const subpath = sub;\n`);
    peered.push(`readme/peers-${i + 1}.ts`);
  });
  const common = { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', isolatedModules: true };
  const nodenext = {
    ...common,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022'],
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
  };
  const configs: [string, object, string[]][] = [
    ['nodenext', nodenext, plain],
    // VIEM_NEEDS_DOM: viem's own declarations (through ox) name Web Crypto and WebAuthn types
    // (CryptoKey, AuthenticatorAttestationResponse) that only TypeScript's DOM lib declares, so a
    // Node project that type-checks viem with skipLibCheck false needs lib DOM (or skipLibCheck).
    // Only the files that import medshare/evm get it; everything else is checked without.
    ['nodenext, lib DOM for viem', { ...nodenext, lib: ['ES2022', 'DOM'] }, peered],
    [
      'bundler',
      { ...common, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [] },
      [...plain, ...peered],
    ],
  ];
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [name, compilerOptions, files] of configs) {
    const config = path.join(app, `tsconfig.${name.split(/[ ,]/)[0]}-${files.length}.json`);
    writeFileSync(config, JSON.stringify({ compilerOptions, files }, null, 2));
    log(`tsc, moduleResolution ${name}, skipLibCheck false: ${files.map((f) => path.basename(f, '.ts')).join(', ')}`);
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
  installSubpathPeers(installBytes);
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
