// Container logs: the daemon's reader of the shim's json-file logs (`docker logs`), the parser of `since`/`until`
// values, and the Engine API's multiplexed stdout/stderr framing.
export type { LogEntry, LogStream } from './entry.js';
export { parseLogTime } from './log-time.js';
export { type ReadLogsOptions, readLogs } from './read.js';
export {
  demux,
  encodeFrame,
  FRAME_HEADER_LENGTH,
  type FrameHandler,
  frameHeader,
  STDERR,
  STDIN,
  STDOUT,
  StdDemuxer,
  type StdStreamId,
  SYSTEMERR,
} from './stdcopy.js';
