/**
 * The last step of `npm run build`: compiles the eligibility circuit for each shape the package
 * ships (PRECOMPILED_SHAPES in src/zk/circuit.ts: n = 4, the demo's) with the circom2 and
 * circomlib dev dependencies and writes it into dist/circuits/<shape>/, where buildCircuit finds
 * it without circom2. Compiled circuits are cached in .cache/medshare-zk (gitignored), so a
 * rebuild of an unchanged circuit takes no compilation.
 *
 * The compiled files contain circomlib's templates, so they are GPL-3.0-or-later, like circomlib:
 * the folder gets a README saying so, where their source is, and where the licence's text is
 * (LICENSES/GPL-3.0-or-later.txt, shipped in the package).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PRECOMPILED_SHAPES, writePrecompiled } from '../src/zk/circuit.js';
import { buildCircuit, shapeId } from '../src/zk/index.js';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist', 'circuits');
const started = Date.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const compiled: string[] = [];
for (const shape of PRECOMPILED_SHAPES) {
  const circuit = await buildCircuit(shape, { cacheDir: path.join(root, '.cache', 'medshare-zk'), precompiled: false });
  const folder = await writePrecompiled(circuit, out);
  const kb = (circuit.r1cs.length + circuit.wasm.length) / 1e3;
  compiled.push(`${shapeId(shape)} (${circuit.header.nConstraints} constraints, ${kb.toFixed(0)} kB)`);
  process.stdout.write(`compiled circuit ${path.relative(root, folder)}: ${circuit.compiler}\n`);
}

const circomlib = path.dirname(createRequire(import.meta.url).resolve('circomlib/package.json'));
const circomlibVersion = JSON.parse(readFileSync(path.join(circomlib, 'package.json'), 'utf8')).version as string;
writeFileSync(
  path.join(out, 'README.md'),
  `# dist/circuits/: compiled eligibility circuits (GPL-3.0-or-later)

The eligibility circuit of \`medshare/zk\`, compiled when the package was built, for the
record sizes \`medshare demo\` and the README's examples use:
${compiled.map((c) => `- ${c}`).join('\n')}

Each folder holds the R1CS (\`eligibility.r1cs\`), circom's witness generator (\`eligibility.wasm\`) and
\`circuit.json\` (the compiler and the id). \`buildCircuit\` loads a folder only when the id,
recomputed from \`circuits/eligibility.circom\` in this package, matches; other sizes are
compiled on your machine with circom2 and circomlib (\`npm install circom2 circomlib\`).

Licence: these files are compiled from \`circuits/eligibility.circom\` (MIT, in this package)
together with templates of circomlib ${circomlibVersion} (the npm package circomlib), which are under the
GNU General Public License version 3 or later; the compiled files are therefore distributed
under the GPL-3.0-or-later ([its text](../../LICENSES/GPL-3.0-or-later.txt)). Their complete source is
\`circuits/eligibility.circom\` and circomlib ${circomlibVersion}; \`npm run build\` in medshare's repository
rebuilds them. Nothing in medshare loads them unless you call \`buildCircuit\` (medshare/zk),
directly or through the demo.
`,
);
process.stdout.write(`dist/circuits: ${compiled.length} circuit(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
