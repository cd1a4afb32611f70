// Graph drivers: layer stacks on disk (overlay2, vfs) behind one interface, and how the daemon picks one.
export {
  type ApplyDiffOptions,
  type DriverName,
  type GraphDriver,
  type ReadWriteOptions,
  validateLayerId,
} from './driver.js';
export { helperIdmapMounter, type IdmapMounter } from './idmap-mount.js';
export { MAX_DEPTH, Overlay2Driver } from './overlay2.js';
export { backingFsName, checkOverlaySupport, type OverlaySupport } from './overlay-support.js';
export { DRIVER_NAMES, type DriverOptions, type SelectedDriver, selectDriver } from './select.js';
export { VfsDriver } from './vfs.js';
