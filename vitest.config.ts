import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (entry: string) => fileURLToPath(new URL(`./src/${entry}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name; in tests the name resolves to the sources.
    alias: [
      { find: /^medshare$/, replacement: src('index.ts') },
      { find: /^medshare\/pre$/, replacement: src('pre/index.ts') },
      { find: /^medshare\/sign$/, replacement: src('sign/index.ts') },
      { find: /^medshare\/pbft$/, replacement: src('pbft/index.ts') },
      { find: /^medshare\/ledger$/, replacement: src('ledger/index.ts') },
      { find: /^medshare\/ledger\/file$/, replacement: src('ledger/file.ts') },
      { find: /^medshare\/zk$/, replacement: src('zk/index.ts') },
      { find: /^medshare\/protocol$/, replacement: src('protocol/index.ts') },
      { find: /^medshare\/evm$/, replacement: src('evm/index.ts') },
      { find: /^medshare\/backend$/, replacement: src('backend/index.ts') },
      { find: /^medshare\/backend\/mcl$/, replacement: src('backend/mcl.ts') },
      { find: /^medshare\/testing$/, replacement: src('testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/fast-check-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
