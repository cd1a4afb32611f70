// The image store: images (configs + metadata), their references, and Docker's list/inspect/history/rmi/prune.
export { chainIds, topChainId } from './chain-id.js';
export { type Filters, familiarMatch, parseUntil } from './filters.js';
export { type LayerRefs, MemoryLayerRefs } from './layer-refs.js';
export type { ContainerUsage, ImageRecord, ImageUser } from './model.js';
export { compilePathPattern, pathMatch } from './path-match.js';
export type { PruneOptions, PruneResult, RemoveOptions, RemoveResult } from './remove.js';
export { ImageStore, type ImageStoreOptions, type ReconcileReport } from './store.js';
export type { ListOptions } from './views.js';
export type {
  DeleteItem,
  HistoryItem,
  ImageInspect,
  ImageSummary,
  InspectContainerConfig,
  PruneReport,
} from './wire.js';
