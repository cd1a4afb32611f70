// The kernel boundary: real implementations and recording fakes for unit tests (youki's habit).
export {
  type CgroupDirEntry,
  type CgroupFs,
  type CgroupFsCall,
  type CgroupFsOp,
  RecordingCgroupFs,
  type RecordingCgroupFsOptions,
  realCgroupFs,
  syncCgroupFs,
} from './cgroupfs.js';
