// Container logs: the daemon's reader of the shim's json-file logs (`docker logs`), the parser of `since`/`until`
// values. (The Engine API's stdout/stderr framing is src/api/stdcopy.ts.)
export type { LogEntry, LogStream } from './entry.js';
export { parseLogTime } from './log-time.js';
export { type ReadLogsOptions, readLogs } from './read.js';
