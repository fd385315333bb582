#!/usr/bin/env node
// The `medshare` command (see src/cli.ts): `npx medshare demo`, `npx medshare bench`, `npx medshare --help`.
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  // A clone of the repository has no dist/ until it is built; a published package always has it.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/dist[\\/]cli\.js/.test(String(error.message))) throw error;
  process.stderr.write(
    'medshare: error: dist/ is missing: this is a clone that has not been built. Run `npm ci && npm run build` first, or `npm run demo` to run from the sources.\n',
  );
  process.exit(1);
}
process.exitCode = await cli.run(process.argv.slice(2));
