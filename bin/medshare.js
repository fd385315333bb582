#!/usr/bin/env node
// The `medshare` command (see src/cli.ts): `npx medshare demo [--fields N]`.
import { run } from '../dist/cli.js';

process.exitCode = await run(process.argv.slice(2));
