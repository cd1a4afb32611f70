// Layer tars: apply one onto a directory (overlay or deleting whiteouts), compute changes, export a diff as a tar.
// The tar codec, decompression and path confinement they use are src/archive's.
export {
  type ApplyOptions,
  type ApplyResult,
  applyLayer,
  OVERLAY_OPAQUE_XATTR,
  WHITEOUT_META_PREFIX,
  WHITEOUT_OPAQUE,
  WHITEOUT_PREFIX,
  type WhiteoutMode,
} from './apply.js';
export { type ApplyFs, promiseFs, syncFs } from './apply-fs.js';
export { applyOffThread } from './apply-pool.js';
export { applyRecorded, type RecordedApplyOptions, type RecordedApplyResult } from './apply-recorded.js';
export { type Change, ChangeKind, changesDirs, overlayChanges } from './changes.js';
export { changesSize, treeSize } from './size.js';
export { FILE_CHUNK, FileSource } from './file-source.js';
export { type DiffStream, exportChanges, overlayDiff } from './diff.js';
export { type ReplayedTar, replayOffThread } from './replay-pool.js';
export {
  contentFromDir,
  contentFromDirSync,
  type OpenContent,
  replayTarSplit,
  TAR_SPLIT_FILE,
  TarSplitRecorder,
  type TarSplitResult,
} from './tarsplit.js';
