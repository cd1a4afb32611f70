// The layer store: read-only layers by chain ID (stored once, reference counted) and containers' read-write layers,
// over a graph driver, with moby's layerdb metadata and crash reconciliation on open.
export { chainIdOf } from './chain.js';
export type { ReconcileReport } from './reconcile.js';
export {
  type LayerInfo,
  type LayerOpener,
  LayerStore,
  type LayerStoreOptions,
  type LayerStoreStats,
  type RegisterResult,
  type ResetReport,
  type RWLayerInfo,
  StagedLayer,
} from './store.js';
