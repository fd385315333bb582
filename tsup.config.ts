import { defineConfig } from 'tsup';

// One entry per subpath of the exports map, and the command line (bin/medshare.js imports dist/cli.js);
// ESM only, with declarations beside each entry.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'pre/index': 'src/pre/index.ts',
    'sign/index': 'src/sign/index.ts',
    'pbft/index': 'src/pbft/index.ts',
    'ledger/index': 'src/ledger/index.ts',
    'zk/index': 'src/zk/index.ts',
    'protocol/index': 'src/protocol/index.ts',
    'evm/index': 'src/evm/index.ts',
    cli: 'src/cli.ts',
  },
  // Dev-only comparison in the benchmark; absent from a user's install, where that suite is skipped.
  // The WebAssembly pairing precompiles are dev-only options of the in-process EVM (tests, benchmark).
  external: ['@nucypher/umbral-pre', 'mcl-wasm', 'rustbn-wasm'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
});
