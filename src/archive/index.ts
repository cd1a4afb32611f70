// Files and archives (moby's pkg/archive + pkg/symlink in one leaf): the one tar codec, decompression, path
// resolution confined to a root, and extraction. `docker cp` (RootTree), image load/import and layer apply
// (storage/archive, on the codec, entry-name rule and ScopedResolver) and the runtime's mount points (resolveInRoot)
// all use it. Imports nothing of berth's but errdefs, lib and sys.
export { type Compression, decompress, type LayerSource } from './decompress.js';
export { deviceNode } from './device-node.js';
export { writeBody } from './write-body.js';
export { copyDirContents, copyUp } from './copy-tree.js';
export { ensureBindSource, ensureDirInRoot } from './dirs.js';
export { goBase, goClean, goFileMode, goTimeJSON, preserveTrailingDotOrSeparator } from './go-paths.js';
export { readFileInRoot, type RootLookups, resolveInRoot } from './resolve-in-root.js';
export { cleanEntryName, isWhiteoutStat, type ResolverFs, ScopedResolver } from './scoped-resolver.js';
export {
  CHECKSUM_MISMATCH,
  encodeHeader,
  END_OF_ARCHIVE,
  padding,
  readTar,
  type TarEntry,
  type TarEntryType,
  type TarHeader,
  type TarObserver,
  tarHeader,
  tarTypeOf,
  UNEXPECTED_END,
} from './tar.js';
export { type ExtractIntoOptions, type PathInfo, RootTree, type TreeMount } from './tree.js';
export { ESCAPE, PathError } from './view.js';
export { comparePaths, readXattrs, sortedNames, type WalkEntry, walkTree } from './walk.js';
