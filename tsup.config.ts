import { defineConfig } from 'tsup';

// One entry per subpath of the exports map, and the command line (bin/medshare.js imports dist/cli.js);
// ESM only. tsup (esbuild) writes the JavaScript only: the declarations come from tsc
// (tsconfig.build.json, run by `npm run build` after tsup), file for file beside each entry, because a
// bundler's declaration rollup turns the root entry's `export * as pre from ...` namespaces into
// `declare const pre: typeof pre`-style values that fail to type-check with skipLibCheck off and
// cannot be used as types (`pre.Ga07Params`).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'pre/index': 'src/pre/index.ts',
    'sign/index': 'src/sign/index.ts',
    'pbft/index': 'src/pbft/index.ts',
    'ledger/index': 'src/ledger/index.ts',
    'ledger/file': 'src/ledger/file.ts',
    'zk/index': 'src/zk/index.ts',
    'protocol/index': 'src/protocol/index.ts',
    cli: 'src/cli.ts',
  },
  // Dev-only comparison in the benchmark; absent from a user's install, where that suite is skipped.
  external: ['@nucypher/umbral-pre'],
  format: ['esm'],
  // Plain ES2022: the same files serve Node >= 20 and browser bundlers.
  target: 'es2022',
  // Keep `node:fs` as written: a bare `fs` is a package name to a browser bundler, `node:fs` is plainly Node's.
  removeNodeProtocol: false,
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
});
