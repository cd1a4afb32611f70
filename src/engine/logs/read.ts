// `docker logs` over a json-file log: tail, since/until and stream filters (moby's order and rules), and follow
// through rotation and truncation until the container is done or the reader is aborted.
import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { errnoCode } from '../../errdefs/index.js';
import { ChangeWaiter } from './change-waiter.js';
import { type LogEntry, parseEntry } from './entry.js';
import { LineReader } from './line-reader.js';
import { type LogFile, openLogFile, openLogSet, openMissedFiles, sameFile } from './log-files.js';
import { findTailStart } from './tail.js';

export interface ReadLogsOptions {
  stdout: boolean;
  stderr: boolean;
  /** The last N entries (of both streams, before the stream filter, as Docker counts) across the rotated files;
   * undefined or negative: all. */
  tail?: number;
  /** Unix ns: entries before it are skipped, until the first one at or after it (then no more checks, as moby). */
  since?: bigint;
  /** Unix ns: the first entry after it ends the read. */
  until?: bigint;
  follow?: boolean;
  /** How many files rotation may have made: path, path.1 … path.{maxFiles-1}. */
  maxFiles: number;
  /** Iteration ends (without an error) once aborted. */
  signal?: AbortSignal;
}

/** How often a follower looks at the file when no watch event comes. */
const POLL_MS = 150;

/**
 * Entries of the json-file log at `path`, oldest first. With `follow`, then the entries appended later, across
 * rotations and truncations, until `done` settles (what was written by then is still read) or the signal aborts.
 */
export function readLogs(path: string, opts: ReadLogsOptions, done?: Promise<unknown>): AsyncIterable<LogEntry> {
  const state: FollowState = { done: false, waiter: undefined };
  // Attached now, not at the first next(): a `done` that rejects before iteration starts is still handled.
  const settle = () => {
    state.done = true;
    state.waiter?.notify();
  };
  done?.then(settle, settle);
  return read(path, opts, state);
}

interface FollowState {
  done: boolean;
  waiter: ChangeWaiter | undefined;
}

type Verdict = 'emit' | 'skip' | 'stop';

/** moby's forwarder (since/until) followed by the daemon's stream filter. */
class EntryFilter {
  private since: bigint | undefined;

  constructor(private readonly opts: ReadLogsOptions) {
    this.since = opts.since;
  }

  judge(entry: LogEntry): Verdict {
    if (this.since !== undefined) {
      if (entry.timeNs < this.since) return 'skip';
      this.since = undefined; // times need not be monotonic: once past `since`, keep everything
    }
    if (this.opts.until !== undefined && entry.timeNs > this.opts.until) return 'stop';
    return (entry.stream === 'stdout' ? this.opts.stdout : this.opts.stderr) ? 'emit' : 'skip';
  }
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

async function* read(path: string, opts: ReadLogsOptions, state: FollowState): AsyncGenerator<LogEntry> {
  const { signal } = opts;
  if (signal?.aborted || (!opts.stdout && !opts.stderr)) return;
  const maxFiles = Math.max(1, opts.maxFiles);
  // Following a window that has already closed could only wait for an entry to reject.
  const follow = opts.follow === true && (opts.until === undefined || opts.until > nowNs());
  const filter = new EntryFilter(opts);
  const held = new Set<LogFile>();
  const release = async (file: LogFile) => {
    held.delete(file);
    await file.handle.close();
  };
  let waiter: ChangeWaiter | undefined;
  const onAbort = () => waiter?.notify();

  /** Reads `reader` to the current end of its file; false when the read must end (until passed, or aborted). */
  async function* drain(reader: LineReader): AsyncGenerator<LogEntry, boolean> {
    for await (const line of reader.lines()) {
      if (signal?.aborted) return false;
      const entry = parseEntry(line);
      if (!entry) continue;
      const verdict = filter.judge(entry);
      if (verdict === 'stop') return false;
      if (verdict === 'emit') yield entry;
      if (signal?.aborted) return false;
    }
    return true;
  }

  try {
    const set = await openLogSet(path, maxFiles);
    for (const f of set.files) held.add(f);
    // When `path` is missing (mid-rotation, or nothing written yet), the newest rotated file stands in for it, so the
    // file that then appears is taken as a rotation from it.
    let live = set.live ?? set.files.at(-1);
    const start =
      opts.tail === undefined || opts.tail < 0 ? { index: 0, offset: 0 } : await findTailStart(set.files, opts.tail);
    for (const f of set.files.slice(0, start.index)) await release(f);
    let reader: LineReader | undefined;
    for (let i = start.index; i < set.files.length; i++) {
      const file = set.files[i]!;
      const r = new LineReader(file.handle, i === start.index ? start.offset : 0);
      if (file === live) {
        reader = r;
        break;
      }
      if (!(yield* drain(r))) return;
      await release(file);
    }
    if (!follow) {
      if (reader) yield* drain(reader);
      return;
    }

    waiter = new ChangeWaiter(dirname(path), POLL_MS);
    state.waiter = waiter;
    signal?.addEventListener('abort', onAbort, { once: true });
    for (;;) {
      // Seen before this round's reads, so everything written before `done` settled is read before the end.
      const finishing = state.done;
      if (signal?.aborted) return;
      if (reader && !(yield* drain(reader))) return;
      const change = await lookForChange(path, live, reader);
      if (change === 'truncated') {
        reader?.restart();
        continue;
      }
      if (change !== undefined) {
        // `path` was replaced. The old file may have got its last lines after the read above; then come the files
        // rotated since (when there were several rotations in between), then the new file from its start.
        held.add(change);
        if (reader && !(yield* drain(reader))) return;
        const missed = await openMissedFiles(path, maxFiles, live, change);
        for (const f of missed) held.add(f);
        if (live) await release(live);
        for (const f of missed) {
          if (!(yield* drain(new LineReader(f.handle, 0)))) return;
          await release(f);
        }
        live = change;
        reader = new LineReader(live.handle, 0);
        continue;
      }
      if (finishing) return;
      await waiter.wait();
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    waiter?.close();
    state.waiter = undefined;
    // Read-only descriptors: nothing to lose if a close fails, and the iteration's own outcome matters more.
    await Promise.allSettled([...held].map((f) => f.handle.close()));
  }
}

/**
 * Compares `path` with the file being read: a new file there (rotation, or the first file appearing) is opened and
 * returned; 'truncated' if it shrank below what was read; undefined if nothing changed.
 */
async function lookForChange(
  path: string,
  live: LogFile | undefined,
  reader: LineReader | undefined,
): Promise<LogFile | 'truncated' | undefined> {
  let st: { dev: bigint; ino: bigint; size: bigint };
  try {
    st = await stat(path, { bigint: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined; // between a rotation's rename and the new file's creation
    throw e;
  }
  if (live && sameFile(st, live)) {
    return reader && st.size < BigInt(reader.position) ? 'truncated' : undefined;
  }
  const file = await openLogFile(path);
  if (file && live && sameFile(file, live)) {
    await file.handle.close(); // renamed back and forth between stat and open: nothing new
    return undefined;
  }
  return file;
}
