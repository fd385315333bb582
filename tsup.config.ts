import path from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

// The library is compiled file for file by tsc (tsconfig.build.json: dist/<subpath>/*.js with a .d.ts
// and source maps beside each), so that dist/ mirrors src/: no chunks, the `export * as`
// namespaces of the root entry exactly as written (a declaration bundle made them values that
// fail to type-check), `node:` imports as written, and nothing a browser bundler has to skip.
//
// tsup bundles only the command line, dist/cli.js (bin/medshare.js imports it), because it reaches
// outside src/ into bench/. Whatever it imports from the library stays an import of the library's
// own files in dist/, so no library code is duplicated.
const src = path.resolve(import.meta.dirname, 'src');

const libraryStaysExternal: Plugin = {
  name: 'library-stays-external',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.relative(src, path.resolve(args.resolveDir, args.path));
      // Outside src/ (bench/) or the command line's own code (src/cli.ts, src/cli/): bundled.
      if (target.startsWith('..') || target === 'cli.ts' || target.startsWith(`cli${path.sep}`)) return undefined;
      return { path: `./${target.split(path.sep).join('/')}`, external: true };
    });
  },
};

export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  // Dev-only comparison in the benchmark; absent from a user's install, where that suite is skipped.
  // The WebAssembly pairing precompiles are dev-only options of the in-process EVM (tests, benchmark).
  external: ['@nucypher/umbral-pre', 'mcl-wasm', 'rustbn-wasm'],
  esbuildPlugins: [libraryStaysExternal],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  // Keep `node:fs` as written (tsup 8 strips the prefix by default).
  removeNodeProtocol: false,
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: true,
});
