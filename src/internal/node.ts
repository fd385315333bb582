/**
 * Node's process, for the few Node-only paths inside modules that must also load in browsers
 * (medshare/zk compiles and caches circuits on disk; verifying a proof needs nothing of Node).
 * Such a path takes Node's built-ins through `process.getBuiltinModule` (Node >= 20.16) when it
 * runs, instead of a static `import 'node:…'` that a browser bundler would have to resolve; in a
 * browser it throws a clear error instead.
 * @module
 */
import { MedshareError } from './errors.js';

/**
 * The Node.js process, for `getBuiltinModule`.
 * @param needs - what needs Node, for the error message (e.g. 'medshare/zk buildCircuit')
 * @throws MedshareError (`ERR_NODE_ONLY`) when not running on Node.js >= 20.16
 */
export function nodeProcess(needs: string): NodeJS.Process {
  const candidate = (globalThis as { process?: NodeJS.Process }).process;
  if (typeof candidate?.getBuiltinModule !== 'function') {
    throw new MedshareError('ERR_NODE_ONLY', `${needs} needs Node.js (>= 20.16): it reads and writes files and runs programs`);
  }
  return candidate;
}
