/**
 * medshare's own laws, as `medshare check` runs them: ga07 (with its verifiable layer) and
 * huang2020 against the IB-PRE laws, AuthSign, and PBFT.
 *
 * @module
 */
import type { Groups } from '../backend/types.js';
import { nobleBackend, withBackend, type Schemes } from '../backend/index.js';
import { MemoryBlockStore, MemoryNodeStorage } from '../ledger/store.js';
import { LAYOUTS } from './hostile.js';
import { blockStoreProperties, nodeStorageProperties } from './ledger-laws.js';
import type { Law, LawGroup } from './laws.js';
import { pbftProperties } from './pbft-laws.js';
import { preSchemeProperties } from './pre-laws.js';
import { authSignProperties } from './sign-laws.js';
import { verifiableProperties } from './verifiable-laws.js';

/** Every group of laws, in the order `medshare check` runs them. */
export const LAW_GROUPS: readonly LawGroup[] = ['pre', 'sign', 'pbft', 'ledger'];

/**
 * medshare's own laws for the groups in `only` (default: all): ga07 (single-hop, with the
 * per-field layouts) and its verifiable layer, and huang2020 (multi-hop) under `pre`; AuthSign
 * under `sign`; the PBFT simulator under `pbft`; `MemoryBlockStore` and `MemoryNodeStorage` against the
 * storage laws under `ledger`. Building the `pre` and `sign` laws runs each
 * scheme's setup once.
 * @param only - the groups wanted
 * @param schemes - the schemes to check (default: the noble backend's, the package's defaults)
 */
export function medshareLaws<E extends Groups>(only: readonly LawGroup[] = LAW_GROUPS, schemes?: Schemes<E>): Law[] {
  const s = (schemes ?? withBackend(nobleBackend)) as unknown as Schemes<Groups>;
  const laws: Law[] = [];
  if (only.includes('pre')) {
    laws.push(...preSchemeProperties(s.ga07, { multiHop: false, layouts: LAYOUTS.ga07 }));
    laws.push(...verifiableProperties(s));
    laws.push(...preSchemeProperties(s.huang2020, { multiHop: true, layouts: LAYOUTS.huang2020 }));
  }
  if (only.includes('sign')) laws.push(...authSignProperties(s.authSign));
  if (only.includes('pbft')) laws.push(...pbftProperties());
  if (only.includes('ledger')) {
    laws.push(...blockStoreProperties({ create: () => new MemoryBlockStore() }));
    laws.push(...nodeStorageProperties({ create: () => new MemoryNodeStorage() }));
  }
  return laws;
}
