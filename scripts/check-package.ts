/**
 * The package as its users get it (`npm run check:package`, run by .ci/run):
 *
 * 1. `npm pack` from this checkout (prepack builds dist/): every
 *    exports target, the bin and the docs are in the tarball; the only
 *    hard dependencies are @noble's; dist/ imports Node built-ins only with the `node:` prefix; no
 *    shipped file points outside the package (`../shared`); every relative link of the shipped
 *    markdown resolves inside the package; publint (strict) and arethetypeswrong (esm-only) pass.
 * 2. The core install: the tarball alone in a fresh temporary project (`npm install medshare`).
 *    Its size is reported; none of the GPL-3.0 optional peers (snarkjs, circom2, circomlib,
 *    ffjavascript) is installed; the `medshare` bin answers --version and --help; `medshare demo`
 *    stops at once with one line naming snarkjs, circom2, circomlib and the one-command form;
 *    medshare/zk names circom2 and circomlib where they are needed; mcl-wasm is not installed either,
 *    and medshare/backend/mcl's `mclBackend()` refuses with ERR_MISSING_DEPENDENCY naming it.
 * 3. Every ```ts block of README.md, type-checked against the core install with
 *    `skipLibCheck: false` under `moduleResolution: nodenext` (with Node's types) and `bundler`
 *    (a browser app: DOM types, no Node types), together with a file that uses the root entry's
 *    namespaces as types; the blocks that do not import medshare/zk are run with Node there.
 * 4. The root entry and each browser subpath bundled with esbuild for the browser from the core
 *    install (medshare/zk with snarkjs left external: what verifying needs; medshare/evm at 7): the build fails on
 *    any Node built-in; the minified and gzipped size of each is reported, and the size of
 *    medshare/pre the README states must be within 15% of the measured one. No entry but
 *    medshare/backend/mcl bundles or even names mcl-wasm (left external there).
 * 5. The full-demo install: snarkjs, circom2 and circomlib added to the same project; its size is reported; the README
 *    blocks that import medshare/zk are run; medshare/zk is bundled with snarkjs. Then mcl-wasm is
 *    added: medshare/backend/mcl loads it, its ga07 ciphertext opens under the default backend, and
 *    it is bundled with mcl-wasm.
 * 6. The README's one command, from an empty folder against the tarball:
 *    `npx -p <tarball> -p snarkjs -p circom2 -p circomlib medshare demo` runs the whole story with
 *    Groth16 proofs.
 * 7. The EVM install: viem (medshare/evm's optional peer) added at the version this repository
 *    tests with; the growth is reported; the README blocks that import medshare/evm are
 *    type-checked (under nodenext with lib DOM, which viem's declarations need) and run;
 *    medshare/evm is bundled for the browser with viem. In the core install, `medshare demo
 *    --ledger evm` stops at once with one line naming viem and @ethereumjs/vm; the EVM demo itself
 *    (an in-process chain, @ethereumjs/*) is not run here.
 * 8. The testing install: in the core install, fast-check is absent and `medshare check` stops with
 *    exit 1 and ERR_MISSING_DEPENDENCY's line naming it; then fast-check (medshare/testing's optional
 *    peer) is added at the version this repository tests with: a file importing medshare/testing
 *    type-checks (nodenext and bundler, skipLibCheck false), `medshare check --runs 5` runs every
 *    law and passes, and medshare/testing is bundled for the browser with fast-check.
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
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** Subpaths that run in browsers (README, "Browsers"); the others are Node only. */
const BROWSER_SUBPATHS = ['', '/pre', '/sign', '/pbft', '/ledger', '/protocol', '/zk', '/backend', '/backend/mcl'] as const;
/** Node-only subpaths. */
const NODE_ONLY_SUBPATHS = ['/ledger/file'] as const;
/** GPL-3.0 packages that only medshare/zk loads, and only when installed: never in the core install. */
const OPTIONAL_GPL = ['snarkjs', 'circom2', 'circomlib', 'ffjavascript'] as const;
/** What the README's one command for the full demo adds to medshare. */
const DEMO_PEERS = ['snarkjs', 'circom2', 'circomlib'] as const;
/**
 * Browser subpaths with an optional peer of their own (package.json peerDependenciesMeta), checked
 * in the EVM install (7) rather than the core install. The in-process EVM's peers (@ethereumjs/*)
 * serve only `medshare demo --ledger evm`.
 */
const PEER_SUBPATHS: Readonly<Record<string, readonly string[]>> = { '/evm': ['viem'] };
/** Optional peers of the EVM side: never in the core install. */
const EVM_PEERS = ['viem', '@ethereumjs/vm', '@ethereumjs/evm'] as const;
/** The optional WebAssembly pairing backend's package (BSD-3-Clause): never in the core install. */
const MCL = 'mcl-wasm';
/** medshare/testing's optional peer (MIT): never in the core install. */
const FAST_CHECK = 'fast-check';

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

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 600_000, env?: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 2 ** 20, env });
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

/** Bytes and files under a project's node_modules. */
function installSize(project: string): { bytes: number; files: number } {
  const files = walk(path.join(project, 'node_modules'));
  return { bytes: files.reduce((sum, f) => sum + statSync(f).size, 0), files: files.length };
}
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
    'circuits/eligibility.circom',
  ].map((p) => p.replace(/^\.\//, ''));
  for (const file of required) if (!files.has(file)) fail(`the tarball has no ${file}`);
  // Dependency-light: a user who wants proxy re-encryption gets noble and nothing else.
  for (const name of Object.keys(pkg.dependencies)) {
    if (!name.startsWith('@noble/')) fail(`'${name}' is a hard dependency; only @noble/* may be (make it an optional peer)`);
  }

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

// ---------------------------------------------------------------- 2. the core install
function installCore(tarball: string): number {
  mkdirSync(app);
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: 'medshare-package-check', private: true, type: 'module' }, null, 2)}\n`,
  );
  log(`npm install ${path.basename(tarball)} in a fresh project (the core install)`);
  const installed = run('npm', ['install', '--no-audit', '--no-fund', tarball], app);
  const added = installed.match(/added (\d+) packages?/)?.[1] ?? '?';
  const { bytes, files } = installSize(app);
  log(`install size, core (npm install medshare): ${mb(bytes)} in node_modules (${files} files, ${added} packages)`);
  for (const name of [...OPTIONAL_GPL, ...EVM_PEERS, MCL, FAST_CHECK]) {
    if (existsSync(path.join(app, 'node_modules', name))) fail(`the core install has ${name}: it must stay an optional peer`);
  }

  const bin = path.join(app, 'node_modules', '.bin', 'medshare');
  const version = run(bin, ['--version'], app).trim();
  if (version !== pkg.version) fail(`medshare --version printed '${version}', expected ${pkg.version}`);
  if (!run(bin, ['demo', '--help'], app).startsWith('usage: medshare demo')) fail('medshare demo --help printed no usage');
  // Without snarkjs the demo stops before it starts, with one line saying what to install.
  const demo = spawnSync(bin, ['demo'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  const line = demo.stderr.trim();
  if (
    demo.status !== 1 ||
    line.includes('\n') ||
    !line.includes('npm install snarkjs circom2 circomlib') ||
    !line.includes('npx -p medshare -p snarkjs -p circom2 -p circomlib medshare demo')
  ) {
    fail(
      `medshare demo without snarkjs: expected exit 1 and one line naming snarkjs, got exit ${demo.status}:\n${demo.stdout}${demo.stderr}`,
    );
  } else log(`medshare demo without snarkjs: exit 1, "${line.slice(0, 90)}…"`);
  // Without viem and @ethereumjs/vm the EVM demo stops at once too, on one line.
  const evmDemo = spawnSync(bin, ['demo', '--ledger', 'evm'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  const evmLine = evmDemo.stderr.trim();
  if (evmDemo.status !== 1 || evmLine.includes('\n') || !evmLine.includes('npm install viem @ethereumjs/vm')) {
    fail(`medshare demo --ledger evm without its peers: exit ${evmDemo.status}:\n${evmDemo.stdout}${evmDemo.stderr}`);
  } else log(`medshare demo --ledger evm without viem: exit 1, "${evmLine.slice(0, 90)}…"`);
  // medshare/zk in the core install: what needs a peer names it.
  const probe = path.join(app, 'probe-zk.mjs');
  writeFileSync(
    probe,
    `import { buildCircuit, circuitShape } from 'medshare/zk';
const refusal = async (f) => f().then(() => 'no error', (e) => \`\${e.code}: \${e.message}\`);
const { mclBackend } = await import('medshare/backend/mcl');
console.log(JSON.stringify({ compile: await refusal(() => buildCircuit(circuitShape(4))), mcl: await refusal(() => mclBackend()) }));
`,
  );
  const result = JSON.parse(run(process.execPath, [probe], app)) as Record<string, unknown>;
  if (!/^ERR_MISSING_DEPENDENCY: .*needs circom2 and circomlib .*npm install circom2 circomlib$/.test(String(result.compile))) {
    fail(`buildCircuit without circom2: ${result.compile}`);
  }
  log(`medshare/zk, core install, without the peers: "${result.compile}"`);
  // medshare/backend/mcl without mcl-wasm: the same code, naming mcl-wasm.
  if (!/^ERR_MISSING_DEPENDENCY: medshare\/backend\/mcl needs mcl-wasm .*npm install mcl-wasm$/.test(String(result.mcl))) {
    fail(`mclBackend() without mcl-wasm: ${result.mcl}`);
  }
  log(`medshare/backend/mcl, core install, without mcl-wasm: "${result.mcl}"`);
  // medshare check without fast-check: exit 1, one line naming it.
  const check = spawnSync(bin, ['check', '--runs', '1'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  const checkLine = check.stderr.trim();
  if (
    check.status !== 1 ||
    checkLine.includes('\n') ||
    !/medshare\/testing needs fast-check \(MIT, optional peer dependency of medshare\), which is not installed: npm install fast-check/.test(
      checkLine,
    )
  ) {
    fail(
      `medshare check without fast-check: expected exit 1 and one line naming it, got exit ${check.status}:\n${check.stdout}${check.stderr}`,
    );
  } else log(`medshare check without fast-check: exit 1, "${checkLine.slice(0, 90)}…"`);
  return bytes;
}

/** Adds the demo's peers (snarkjs, circom2, circomlib) to the project, as `npm install medshare snarkjs circom2 circomlib` would. */
function installFullDemo(): number {
  const peers = DEMO_PEERS.map((name) => `${name}@${pkg.devDependencies[name]}`);
  log(`npm install ${peers.join(' ')} (the full demo)`);
  run('npm', ['install', '--no-audit', '--no-fund', ...peers], app);
  const { bytes, files } = installSize(app);
  log(`install size, full demo (npm install medshare ${DEMO_PEERS.join(' ')}): ${mb(bytes)} in node_modules (${files} files)`);
  return bytes;
}

/**
 * Adds mcl-wasm to the project (`npm install mcl-wasm`) and checks that medshare/backend/mcl then
 * loads it and computes ga07 with it, with bytes the default backend decrypts.
 */
function installMcl(): void {
  log(`npm install ${MCL}@${pkg.devDependencies[MCL]} (the WebAssembly pairing backend)`);
  run('npm', ['install', '--no-audit', '--no-fund', `${MCL}@${pkg.devDependencies[MCL]}`], app);
  const probe = path.join(app, 'probe-mcl.mjs');
  writeFileSync(
    probe,
    `import { ga07 } from 'medshare/pre';
import { withBackend } from 'medshare/backend';
import { mclBackend } from 'medshare/backend/mcl';
const mcl = withBackend(await mclBackend());
const { params, masterKey } = mcl.ga07.setup();
const key = mcl.ga07.keyGen(params, masterKey, 'patient:a');
const stored = mcl.ga07.encodeCiphertext(mcl.ga07.encrypt(params, 'patient:a', new TextEncoder().encode('record')));
// The default backend opens what mcl made, from the bytes.
const opened = ga07.decrypt(ga07.decodeParams(mcl.ga07.encodeParams(params)), ga07.decodeSecretKey(mcl.ga07.encodeSecretKey(key)), ga07.decodeCiphertext(stored));
console.log(JSON.stringify({ name: mcl.backend.name, opened: new TextDecoder().decode(opened) }));
`,
  );
  const result = JSON.parse(run(process.execPath, [probe], app)) as { name?: string; opened?: string };
  if (result.name !== 'mcl' || result.opened !== 'record')
    fail(`medshare/backend/mcl with mcl-wasm installed: ${JSON.stringify(result)}`);
  else log('medshare/backend/mcl with mcl-wasm installed: loads; the default backend decrypts its ciphertext');
}

// ---------------------------------------------------------------- 3. the README's examples
function readmeBlocks(): string[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** What a README block needs beside the core install: the zk peers, medshare/evm's peer, or nothing. */
type BlockNeeds = 'core' | 'zk' | 'evm';
function blockNeeds(code: string): BlockNeeds {
  if (Object.keys(PEER_SUBPATHS).some((s) => code.includes(`from 'medshare${s}'`))) return 'evm';
  return /from 'medshare\/zk'/.test(code) ? 'zk' : 'core';
}

const COMMON_TS = { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', isolatedModules: true };
const NODENEXT_TS = {
  ...COMMON_TS,
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2022'],
  types: ['node'],
  typeRoots: [path.join(root, 'node_modules', '@types')],
};
const BUNDLER_TS = { ...COMMON_TS, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [] };

/** Type-checks `files` (relative to the app) under each of `configs`, named for the log. */
function typeCheck(files: readonly string[], configs: Record<string, object>, what: string): void {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [name, compilerOptions] of Object.entries(configs)) {
    const config = path.join(app, `tsconfig.${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(config, JSON.stringify({ compilerOptions, files }, null, 2));
    log(`tsc, moduleResolution ${name}, skipLibCheck false: ${what}`);
    const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: app, encoding: 'utf8' });
    if (result.status !== 0) fail(`type errors under moduleResolution ${name}:\n${result.stdout}${result.stderr}`);
  }
}

/** Writes the README blocks into readme/; returns the files of the blocks of each kind. */
function writeReadmeBlocks(): Record<BlockNeeds, string[]> {
  const blocks = readmeBlocks();
  if (blocks.length === 0) fail('README.md has no ```ts blocks');
  const dir = path.join(app, 'readme');
  mkdirSync(dir, { recursive: true });
  const files: Record<BlockNeeds, string[]> = { core: [], zk: [], evm: [] };
  blocks.forEach((code, i) => {
    writeFileSync(path.join(dir, `example-${i + 1}.ts`), `${code}\nexport {};\n`);
    files[blockNeeds(code)].push(`readme/example-${i + 1}.ts`);
  });
  return files;
}

function typeCheckReadme(): void {
  const files = writeReadmeBlocks();
  // The root entry's namespaces, used as types and values, and every subpath imported (those with
  // a peer of their own in the EVM install).
  const subpaths = [...BROWSER_SUBPATHS, ...NODE_ONLY_SUBPATHS].filter((s) => s !== '');
  writeFileSync(
    path.join(app, 'readme', 'types.ts'),
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
  const checked = [...files.core, ...files.zk, 'readme/types.ts'];
  typeCheck(
    checked,
    { nodenext: NODENEXT_TS, bundler: BUNDLER_TS },
    `${checked.length - 1} README blocks and the root namespaces as types`,
  );
}

/** Runs the README blocks that need `needs`. */
async function runReadme(needs: BlockNeeds, install: string): Promise<void> {
  const dir = path.join(app, 'readme');
  for (const [i, code] of readmeBlocks().entries()) {
    if (blockNeeds(code) !== needs) continue;
    const file = path.join(dir, `example-${i + 1}.mjs`);
    writeFileSync(file, (await transform(code, { loader: 'ts', format: 'esm', target: 'es2022' })).code);
    const t = Date.now();
    const result = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 300_000 });
    if (result.status !== 0) fail(`README example ${i + 1} failed (exit ${result.status ?? result.signal}):\n${result.stderr}`);
    else log(`README example ${i + 1} ran, ${install} install (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
}

// ---------------------------------------------------------------- 4. browser bundles
/**
 * Bundles each of `subpaths` for the browser from the app's install; `external` packages are left
 * out (imported at run time). Returns min+gzip bytes per label (the name, with `label` appended).
 */
async function browserBundles(
  subpaths: readonly string[],
  external: readonly string[],
  label = (_subpath: string) => '',
): Promise<Record<string, number>> {
  const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const sizes: Record<string, number> = {};
  for (const subpath of subpaths) {
    const name = `medshare${subpath}`;
    const key = `${name}${label(subpath)}`;
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
        external: [...external],
      });
      const inputs = Object.keys(result.metafile.inputs);
      const builtin = inputs.find((input) => nodeBuiltins.has(input) || input.startsWith('node:'));
      if (builtin !== undefined) fail(`${name} pulls in the Node built-in ${builtin}`);
      const code = result.outputFiles[0]?.contents ?? new Uint8Array();
      // Only medshare/backend/mcl may load mcl-wasm: no other entry bundles or imports it.
      if (
        subpath !== '/backend/mcl' &&
        (inputs.some((i) => i.includes(`node_modules/${MCL}/`)) || Buffer.from(code).includes(MCL))
      ) {
        fail(`${name} refers to ${MCL}: only medshare/backend/mcl may load it`);
      }
      sizes[key] = gzipSync(code, { level: 9 }).length;
      log(`browser bundle ${key.padEnd(18)} ${kb(code.length).padStart(9)} minified, ${kb(sizes[key]).padStart(8)} min+gzip`);
    } catch (error) {
      const errors = (error as { errors?: { text: string }[] }).errors;
      fail(`${name} does not bundle for the browser: ${errors?.map((e) => e.text).join('; ') ?? String(error)}`);
    }
  }
  return sizes;
}

/** The README's statement of medshare/pre's min+gzip size is within 15% of the measured one. */
function checkStatedSize(sizes: Record<string, number>): void {
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
}

// ---------------------------------------------------------------- 7. the EVM install
/** Adds medshare/evm's peer (viem) and checks the subpath and its README blocks with it. */
async function evmInstall(before: number): Promise<Record<string, number>> {
  const peers = [...new Set(Object.values(PEER_SUBPATHS).flat())];
  for (const peer of peers) {
    if (pkg.peerDependenciesMeta?.[peer]?.optional !== true) fail(`${peer} is not an optional peer dependency in package.json`);
    if (pkg.devDependencies[peer] === undefined) fail(`${peer}: no pinned version in devDependencies to test with`);
  }
  const specs = peers.map((peer) => `${peer}@${pkg.devDependencies[peer]}`);
  log(
    `npm install ${specs.join(' ')} (the peers of ${Object.keys(PEER_SUBPATHS)
      .map((s) => `medshare${s}`)
      .join(', ')})`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', ...specs], app);
  const { bytes } = installSize(app);
  log(`install size with ${peers.join(', ')}: ${mb(bytes)} in node_modules (+${mb(bytes - before)})`);
  const files = writeReadmeBlocks().evm;
  Object.keys(PEER_SUBPATHS).forEach((s, i) => {
    writeFileSync(
      path.join(app, 'readme', `peers-${i + 1}.ts`),
      `import * as sub from 'medshare${s}';\nexport const subpath = sub;\n`,
    );
    files.push(`readme/peers-${i + 1}.ts`);
  });
  // viem's own declarations (through ox) name Web Crypto and WebAuthn types (CryptoKey,
  // AuthenticatorAttestationResponse) that only TypeScript's DOM lib declares: a Node project that
  // type-checks viem with skipLibCheck false needs lib DOM (or skipLibCheck). Only these files get it.
  typeCheck(
    files,
    { 'nodenext, lib DOM for viem': { ...NODENEXT_TS, lib: ['ES2022', 'DOM'] }, bundler: BUNDLER_TS },
    `the README blocks that import ${Object.keys(PEER_SUBPATHS)
      .map((s) => `medshare${s}`)
      .join(', ')}, and the subpaths`,
  );
  await runReadme('evm', 'EVM');
  return browserBundles(Object.keys(PEER_SUBPATHS), [], () => ' (with viem)');
}

// ---------------------------------------------------------------- 8. the testing install
/**
 * Adds medshare/testing's peer (fast-check) and checks the subpath with it: types, `medshare check
 * --runs 5` (every law of the installed build), the browser bundle.
 */
async function testingInstall(): Promise<Record<string, number>> {
  if (pkg.peerDependenciesMeta?.[FAST_CHECK]?.optional !== true)
    fail(`${FAST_CHECK} is not an optional peer dependency in package.json`);
  const spec = `${FAST_CHECK}@${pkg.devDependencies[FAST_CHECK]}`;
  log(`npm install ${spec} (medshare/testing's optional peer)`);
  run('npm', ['install', '--no-audit', '--no-fund', spec], app);
  mkdirSync(path.join(app, 'testing'), { recursive: true });
  writeFileSync(
    path.join(app, 'testing', 'types.ts'),
    [
      "import fc from 'fast-check';",
      "import { ga07 } from 'medshare/pre';",
      "import { type Law, preSchemeProperties } from 'medshare/testing';",
      'const laws: Law[] = preSchemeProperties(ga07, { multiHop: false, runs: 1 });',
      'export const run = () => { for (const law of laws) fc.assert(law.property, { numRuns: law.runs }); };',
      '',
    ].join('\n'),
  );
  typeCheck(['testing/types.ts'], { nodenext: NODENEXT_TS, bundler: BUNDLER_TS }, 'medshare/testing with fast-check');
  log('medshare check --runs 5');
  const bin = path.join(app, 'node_modules', '.bin', 'medshare');
  const result = spawnSync(bin, ['check', '--runs', '5'], { cwd: app, encoding: 'utf8', timeout: 900_000 });
  const summary = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !/ held, 0 failed/.test(summary))
    fail(`medshare check --runs 5 exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  else log(`medshare check --runs 5: ${summary}`);
  return browserBundles(['/testing'], [], () => ' (with fast-check)');
}

// ---------------------------------------------------------------- 6. the README's one command
/**
 * `npx -p <tarball> -p snarkjs -p circom2 -p circomlib medshare demo` in an empty folder, as the
 * README gives it with the registry's name: npx installs them into its own cache folder and runs the whole story with
 * Groth16 proofs. The npx install it made is removed afterwards.
 */
function oneCommandDemo(tarball: string): void {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const command = `npx -p medshare ${DEMO_PEERS.map((p) => `-p ${p}`).join(' ')} medshare demo`;
  if (!readme.includes(command)) fail(`README.md does not give the one command for the full demo: ${command}`);
  const empty = path.join(work, 'empty');
  mkdirSync(empty);
  const npxCache = path.join(run('npm', ['config', 'get', 'cache'], empty).trim(), '_npx');
  const before = new Set(existsSync(npxCache) ? readdirSync(npxCache) : []);
  log(`${command.replace('-p medshare', `-p ${path.basename(tarball)}`)}, from an empty folder`);
  const t = Date.now();
  try {
    const args = ['--yes', '-p', tarball, ...DEMO_PEERS.flatMap((p) => ['-p', p]), 'medshare', 'demo', '--seed', 'package-check'];
    const output = run('npx', args, empty, 600_000);
    const expected = [
      'proof system: groth16',
      'every node agrees (same head and contract-state hash): yes',
      'chain check (links, Merkle roots, 2f + 1 commit certificates): valid',
    ];
    const missing = expected.filter((line) => !output.includes(line));
    if (missing.length > 0) fail(`the one-command demo did not print: ${missing.join('; ')}\n${output}`);
    else log(`the one-command demo ran with Groth16 proofs (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  } finally {
    if (existsSync(npxCache)) {
      for (const entry of readdirSync(npxCache))
        if (!before.has(entry)) rmSync(path.join(npxCache, entry), { recursive: true, force: true });
    }
  }
}

try {
  const { tarball } = packAndInspect();
  const coreBytes = installCore(tarball);
  typeCheckReadme();
  await runReadme('core', 'core');
  const label = (subpath: string) =>
    subpath === '/zk' ? ' (verify; snarkjs external)' : subpath === '/backend/mcl' ? ' (mcl-wasm external)' : '';
  const sizes = await browserBundles(BROWSER_SUBPATHS, ['snarkjs', MCL], label);
  checkStatedSize(sizes);
  const fullDemoBytes = installFullDemo();
  await runReadme('zk', 'full-demo');
  Object.assign(sizes, await browserBundles(['/zk'], [], () => ' (with snarkjs)'));
  installMcl();
  Object.assign(sizes, await browserBundles(['/backend/mcl'], [], () => ' (with mcl-wasm)'));
  oneCommandDemo(tarball);
  Object.assign(sizes, await evmInstall(fullDemoBytes));
  Object.assign(sizes, await testingInstall());
  const summary = { installBytes: { core: coreBytes, fullDemo: fullDemoBytes }, bundles: sizes };
  writeFileSync(path.join(work, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(
    `summary: install ${mb(coreBytes)} core, ${mb(fullDemoBytes)} full demo; min+gzip ${Object.entries(sizes)
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
