// The Engine API shapes the image store produces live in src/api/images.ts, the one place for wire types.
export type {
  DeleteItem,
  HistoryItem,
  ImageInspect,
  ImageSummary,
  InspectContainerConfig,
  PruneReport,
} from '../../api/images.js';
