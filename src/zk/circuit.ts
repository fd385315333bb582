/**
 * Builds the eligibility circuit for one shape: writes a main component for
 * circuits/eligibility.circom, compiles it with the npm package circom2 (circom 2 in
 * WebAssembly; no native toolchain, nothing downloaded) and caches the R1CS and the witness
 * generator on disk, keyed by the shape, the circuit source and the compiler version. circom2
 * and circomlib are optional peer dependencies (GPL-3.0): missing, they are named in an
 * `ERR_MISSING_DEPENDENCY` error.
 *
 * This is the only part of medshare/zk that touches the disk or spawns a process: the cache
 * directory is passed in, or defaults explicitly to `.cache/medshare-zk` under the working
 * directory. circom2 runs with its working directory at a common ancestor of every path it
 * reads (WASI preopens), `-l` pointing at our circuits and at circomlib, and `--O2`.
 * @module
 */
import { nodeProcess } from '../internal/node.js';
import { isPackageNotFound, missingDependency } from './optional.js';
import { readR1csHeader, type R1csHeader } from './r1cs.js';
import { type CircuitShape, indexBits, shapeId } from './shape.js';
import { MedshareError } from '../internal/errors.js';

/**
 * Node's built-ins for compiling and caching, taken when a circuit is built rather than imported,
 * so that medshare/zk's proof checking and encodings bundle for browsers (where this throws).
 */
function node() {
  const p = nodeProcess('medshare/zk buildCircuit');
  const fs = p.getBuiltinModule('node:fs');
  const fsp = p.getBuiltinModule('node:fs/promises');
  return {
    spawn: p.getBuiltinModule('node:child_process').spawn,
    createHash: p.getBuiltinModule('node:crypto').createHash,
    createRequire: p.getBuiltinModule('node:module').createRequire,
    fileURLToPath: p.getBuiltinModule('node:url').fileURLToPath,
    path: p.getBuiltinModule('node:path'),
    existsSync: fs.existsSync,
    mkdir: fsp.mkdir,
    readFile: fsp.readFile,
    rename: fsp.rename,
    rm: fsp.rm,
    writeFile: fsp.writeFile,
  };
}

/** A compiled eligibility circuit: the R1CS (for key generation) and the witness generator (for proving). */
export interface Circuit {
  /** The shape the circuit was compiled for (record fields n, bits B, criteria K). */
  readonly shape: CircuitShape;
  /** The R1CS file, as circom writes it. */
  readonly r1cs: Uint8Array;
  /** The witness generator (circom's WebAssembly), as snarkjs's calculator takes it. */
  readonly wasm: Uint8Array;
  /** Counts read from the R1CS header. */
  readonly header: R1csHeader;
  /** Hex SHA-256 of the circuit source, shape and compiler flags: the cache key. */
  readonly id: string;
}

/** A step of {@link buildCircuit}, for progress reports. */
export type BuildStage = 'cache-hit' | 'compile' | 'compiled';

/** Options to {@link buildCircuit}. */
export interface BuildOptions {
  /** Where compiled circuits are kept; default `<cwd>/.cache/medshare-zk`. */
  cacheDir?: string;
  /** Called at each step, with a message; compilation takes about 10 s at n = 1000. */
  onProgress?: (stage: BuildStage, message: string) => void;
}

const COMPILER_FLAGS = ['--r1cs', '--wasm', '--O2'] as const;

/** The default cache directory, made explicit: `<cwd>/.cache/medshare-zk`. */
export function defaultCacheDir(): string {
  const { path } = node();
  return path.resolve('.cache', 'medshare-zk');
}

/**
 * Compiles (or loads from the cache) the eligibility circuit of a shape.
 * @param shape - from {@link circuitShape}.
 * @param options - cache directory and progress callback.
 * @returns The circuit's R1CS, witness generator and counts.
 * @throws MedshareError (`ERR_MISSING_DEPENDENCY`) when circom2 or circomlib is not installed
 *   (`npm install circom2 circomlib`); MedshareError (`ERR_ZK_TOOLCHAIN`) with circom's output if
 *   compilation fails.
 * @example
 * ```ts
 * const circuit = await buildCircuit(circuitShape(100), { onProgress: (s, m) => console.log(s, m) });
 * circuit.header.nConstraints; // 5000-odd
 * ```
 */
export async function buildCircuit(shape: CircuitShape, options: BuildOptions = {}): Promise<Circuit> {
  const { createHash, createRequire, existsSync, mkdir, path, readFile, rename, rm, writeFile } = node();
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const progress = options.onProgress ?? (() => {});
  const circuitsDir = findCircuitsDir();
  const source = await readFile(path.join(circuitsDir, 'eligibility.circom'));
  const require = createRequire(import.meta.url);
  const missing: string[] = [];
  const resolve = (name: string, file: string): string => {
    try {
      return require.resolve(`${name}/${file}`);
    } catch (error) {
      if (!isPackageNotFound(error, name)) throw error;
      missing.push(name);
      return '';
    }
  };
  const circomCli = resolve('circom2', 'cli.js');
  const circomlibJson = resolve('circomlib', 'package.json');
  if (missing.length > 0) throw missingDependency(missing, `medshare/zk buildCircuit (${shapeId(shape)})`);
  const circomVersion = JSON.parse(await readFile(path.join(path.dirname(circomCli), 'package.json'), 'utf8')).version as string;
  const circomlibDir = path.dirname(circomlibJson);
  const circomlibVersion = JSON.parse(await readFile(circomlibJson, 'utf8')).version as string;
  const libraryRoot = path.dirname(circomlibDir); // the node_modules that holds circomlib/

  const main = mainSource(shape);
  const id = createHash('sha256')
    .update(source)
    .update(main)
    .update(`circom2@${circomVersion} circomlib@${circomlibVersion} ${COMPILER_FLAGS.join(' ')}`)
    .digest('hex');
  const dir = path.join(cacheDir, `${shapeId(shape)}-${id.slice(0, 16)}`);
  const r1csPath = path.join(dir, 'eligibility.r1cs');
  const wasmPath = path.join(dir, 'eligibility.wasm');

  if (existsSync(r1csPath) && existsSync(wasmPath)) {
    progress('cache-hit', `circuit ${shapeId(shape)} from ${dir}`);
    return load(shape, id, r1csPath, wasmPath);
  }

  const work = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(work, { recursive: true });
  try {
    const mainPath = path.join(work, 'eligibility_main.circom');
    await writeFile(mainPath, main);
    const root = commonAncestor([work, circuitsDir, libraryRoot, path.dirname(circomCli)]);
    const rel = (p: string) => path.relative(root, p) || '.';
    const args = [circomCli, rel(mainPath), ...COMPILER_FLAGS, '-l', rel(circuitsDir), '-l', rel(libraryRoot), '-o', rel(work)];
    progress('compile', `compiling ${shapeId(shape)} with circom2 ${circomVersion} (--O2)`);
    const output = await run(process.execPath, args, root);
    const compiledR1cs = path.join(work, 'eligibility_main.r1cs');
    const compiledWasm = path.join(work, 'eligibility_main_js', 'eligibility_main.wasm');
    if (!existsSync(compiledR1cs) || !existsSync(compiledWasm))
      throw new MedshareError('ERR_ZK_TOOLCHAIN', `circom2 produced no output:\n${output}`);
    await rename(compiledR1cs, path.join(work, 'eligibility.r1cs'));
    await rename(compiledWasm, path.join(work, 'eligibility.wasm'));
    await rm(path.join(work, 'eligibility_main_js'), { recursive: true, force: true });
    await mkdir(cacheDir, { recursive: true });
    try {
      await rename(work, dir);
    } catch (error) {
      // Another build of the same circuit (a parallel test worker) finished first: use its output.
      if (!existsSync(r1csPath) || !existsSync(wasmPath)) throw error;
      await rm(work, { recursive: true, force: true });
    }
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
  const circuit = await load(shape, id, r1csPath, wasmPath);
  progress('compiled', `${circuit.header.nConstraints} constraints, ${circuit.header.nVars} wires, cached in ${dir}`);
  return circuit;
}

/** The main component for a shape: public statement (commitment, requirementHash, patientId, timestamp). */
export function mainSource(shape: CircuitShape): string {
  return [
    'pragma circom 2.1.0;',
    'include "eligibility.circom";',
    'component main {public [commitment, requirementHash, patientId, timestamp]} = ' +
      `Eligibility(${shape.fields}, ${shape.criteria}, ${shape.bits}, ${indexBits(shape)});`,
    '',
  ].join('\n');
}

async function load(shape: CircuitShape, id: string, r1csPath: string, wasmPath: string): Promise<Circuit> {
  const { readFile } = node();
  const [r1cs, wasm] = await Promise.all([readFile(r1csPath), readFile(wasmPath)]);
  const r1csBytes = new Uint8Array(r1cs.buffer, r1cs.byteOffset, r1cs.byteLength);
  return {
    shape,
    r1cs: r1csBytes,
    wasm: new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength),
    header: readR1csHeader(r1csBytes),
    id,
  };
}

function findCircuitsDir(): string {
  const { existsSync, fileURLToPath, path } = node();
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'circuits', 'eligibility.circom');
    if (existsSync(candidate)) return path.join(dir, 'circuits');
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new MedshareError('ERR_ZK_TOOLCHAIN', 'medshare/zk: circuits/eligibility.circom not found beside the package');
    dir = parent;
  }
}

function commonAncestor(paths: readonly string[]): string {
  const { path } = node();
  const split = paths.map((p) => path.resolve(p).split(path.sep));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  return first.slice(0, n).join(path.sep) || path.sep;
}

function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  const { spawn } = node();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips circom's ANSI colours
      const clean = output.replace(/\u001b\[[0-9;]*m/g, '');
      if (code === 0 && !/error/i.test(clean)) resolve(clean);
      else reject(new MedshareError('ERR_ZK_TOOLCHAIN', `circom2 failed (exit ${code}):\n${clean}`));
    });
  });
}
