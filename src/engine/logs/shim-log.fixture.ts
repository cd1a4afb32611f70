// For tests: writes a json-file log the way the shim does (native/src/log.c): one entry per line, lines over 16 KiB
// in pieces, rotation by renaming path.N-1 → path.N … path → path.1 and a new empty path, or truncation with one file.
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry, LogStream } from './entry.js';

export const PIECE = 16 * 1024;
/** 2023-11-14T22:13:20Z, the time of the first entry a ShimLog writes. */
export const T0 = 1_700_000_000n * 1_000_000_000n;

/** RFC 3339 UTC with nanoseconds, trailing zeros trimmed, as Go and the shim write it. */
export function formatTime(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

export function jsonLine(stream: LogStream, log: string, timeNs: bigint): string {
  return `${JSON.stringify({ log, stream, time: formatTime(timeNs) })}\n`;
}

export class ShimLog {
  /** The time the next entry gets; each entry is 1 µs after the one before. */
  nextTime = T0;

  constructor(
    readonly path: string,
    private readonly maxFiles = 1,
  ) {
    writeFileSync(path, '', { flag: 'a' });
  }

  /** Writes one container line (pieces of 16 KiB if longer); returns the times the pieces got. */
  write(stream: LogStream, text: string): bigint[] {
    const bytes = Buffer.from(text, 'utf8');
    const times: bigint[] = [];
    for (let at = 0; at < bytes.length || at === 0; at += PIECE) {
      times.push(this.nextTime);
      this.raw(jsonLine(stream, bytes.subarray(at, at + PIECE).toString('utf8'), this.nextTime));
      this.nextTime += 1000n;
    }
    return times;
  }

  raw(text: string): void {
    appendFileSync(this.path, text);
  }

  rotate(): void {
    if (this.maxFiles <= 1) {
      truncateSync(this.path, 0);
      return;
    }
    for (let n = this.maxFiles - 1; n > 1; n--) {
      try {
        renameSync(`${this.path}.${n - 1}`, `${this.path}.${n}`);
      } catch {
        // a missing older file is fine, as in the shim
      }
    }
    renameSync(this.path, `${this.path}.1`);
    writeFileSync(this.path, '');
  }
}

/** A fresh directory for one test's log, removed after the test; returns the log's path in it. */
export function tempLogPath(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'c0ffee-json.log');
}

export async function collect(entries: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of entries) out.push(e);
  return out;
}

export const texts = (entries: readonly LogEntry[]): string[] => entries.map((e) => e.line.toString('utf8'));

/**
 * Pulls entries one at a time, each within a deadline, so a follow test fails instead of hanging. `controller` (the
 * reader's signal's) is aborted on close: a reader waiting for entries ends only then.
 */
export class Puller {
  private readonly it: AsyncIterator<LogEntry>;

  constructor(
    entries: AsyncIterable<LogEntry>,
    private readonly controller?: AbortController,
  ) {
    this.it = entries[Symbol.asyncIterator]();
  }

  /** The next entry, or undefined when the iteration ended; rejects after `ms`. */
  async next(ms = 5000): Promise<LogEntry | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no log entry within ${ms} ms`)), ms);
    });
    try {
      const r = await Promise.race([this.it.next(), deadline]);
      return r.done ? undefined : r.value;
    } finally {
      clearTimeout(timer);
    }
  }

  async take(n: number, ms = 5000): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = await this.next(ms);
      if (!e) throw new Error(`iteration ended after ${out.length} of ${n} entries`);
      out.push(e.line.toString('utf8'));
    }
    return out;
  }

  /** Expects the iteration to end within `ms`. */
  async end(ms = 5000): Promise<void> {
    const e = await this.next(ms);
    if (e) throw new Error(`expected the end, got ${JSON.stringify(e.line.toString('utf8'))}`);
  }

  async close(): Promise<void> {
    this.controller?.abort();
    await this.it.return?.();
  }
}
