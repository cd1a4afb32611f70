// One entry of a json-file log (docs/helper-protocol.md, "Log file"): a line such as
// `{"log":"hello\n","stream":"stdout","time":"2026-11-23T15:30:00.123456789Z"}`.
import { LAYOUTS, parseGoTime } from './go-time.js';

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  stream: LogStream;
  /** The bytes of "log" as the container wrote them (a 16 KiB piece of a longer line, or a line with its "\n"). */
  line: Buffer;
  /** RFC 3339 with nanoseconds, as in the file. */
  time: string;
  /** `time` as unix nanoseconds. */
  timeNs: bigint;
}

/** Parses one line of the file (without its "\n"); undefined if it is not a well-formed entry. */
export function parseEntry(line: Buffer): LogEntry | undefined {
  // Skip NULs a truncation can leave before the first line a writer without O_APPEND puts back.
  let start = 0;
  while (start < line.length && line[start] === 0) start++;
  if (start === line.length) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8', start));
  } catch {
    return undefined; // a corrupt line: skipped, as a reader must never stop on one
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { log, stream, time } = value as Record<string, unknown>;
  if (typeof log !== 'string' || typeof time !== 'string' || (stream !== 'stdout' && stream !== 'stderr')) {
    return undefined;
  }
  const parsed = parseGoTime(time, LAYOUTS.rfc3339Nano);
  if (!parsed.ok) return undefined;
  return { stream, line: Buffer.from(log, 'utf8'), time, timeNs: parsed.ns };
}
