// Streams of JSON values as the daemon writes them (events, stats, progress of import/load/pull): one after another,
// usually newline-separated, but a value may be split across chunks and several may share one, as with Go's
// json.Decoder.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { StreamError } from './errors.js';

/** Splits text into top-level JSON objects/arrays, keeping the partial tail for the next chunk. */
export class JsonSplitter {
  private text = '';
  private pos = 0;
  private depth = 0;
  private start = -1;
  private inString = false;
  private escaped = false;

  push(chunk: string): unknown[] {
    this.text += chunk;
    const out: unknown[] = [];
    const t = this.text;
    for (; this.pos < t.length; this.pos++) {
      const c = t.charCodeAt(this.pos);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
        continue;
      }
      if (c === 0x22) {
        if (this.depth === 0) throw new Error(`invalid JSON stream: unexpected string at top level`);
        this.inString = true;
      } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (this.depth === 0) this.start = this.pos;
        this.depth++;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        if (this.depth === 0) throw new Error(`invalid JSON stream: unbalanced ${String.fromCharCode(c)}`);
        this.depth--;
        if (this.depth === 0) {
          out.push(JSON.parse(t.slice(this.start, this.pos + 1)));
          this.start = -1;
        }
      } else if (this.depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        throw new Error(`invalid JSON stream: unexpected ${JSON.stringify(t[this.pos])} at top level`);
      }
    }
    // Keep only the unfinished value (if any) for the next chunk.
    const keepFrom = this.depth > 0 ? this.start : this.text.length;
    this.text = this.text.slice(keepFrom);
    this.pos -= keepFrom;
    if (this.start >= 0) this.start -= keepFrom;
    return out;
  }

  /** True when no value is half-read. */
  get idle(): boolean {
    return this.depth === 0;
  }
}

/** Decodes a byte stream of JSON values. A stream that ends inside a value is an error. */
export async function* decodeJsonStream<T>(source: AsyncIterable<Buffer | string>): AsyncGenerator<T> {
  const utf8 = new StringDecoder('utf8');
  const splitter = new JsonSplitter();
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : utf8.write(chunk);
    for (const value of splitter.push(text)) yield value as T;
  }
  for (const value of splitter.push(utf8.end())) yield value as T;
  if (!splitter.idle) throw new Error('unexpected EOF in JSON stream');
}

/** One entry of a JSON progress stream (moby's jsonmessage.JSONMessage). */
export interface JSONMessage {
  stream?: string;
  status?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  id?: string;
  from?: string;
  time?: number;
  timeNano?: number;
  errorDetail?: { code?: number; message?: string };
  /** Deprecated copy of errorDetail.message. */
  error?: string;
  aux?: unknown;
}

/**
 * Reads a progress stream to its end and returns its entries; an entry carrying `errorDetail`/`error` rejects with
 * its message (what `docker import`/`load`/`pull` print), after the entries before it were passed to `onMessage`.
 */
export async function collectProgress(
  source: AsyncIterable<Buffer | string>,
  onMessage?: (m: JSONMessage) => void,
): Promise<JSONMessage[]> {
  const all: JSONMessage[] = [];
  for await (const m of decodeJsonStream<JSONMessage>(source)) {
    if (m.errorDetail || m.error) {
      const message = m.errorDetail?.message || m.error || 'unknown error';
      throw new StreamError(message, m.errorDetail?.code);
    }
    all.push(m);
    onMessage?.(m);
  }
  return all;
}

/** A live stream of decoded JSON values (events, stats) that the caller can stop. */
export interface JsonStream<T> extends AsyncIterable<T> {
  /** Stops the stream: iteration ends quietly. */
  close(): void;
}

/**
 * Wraps a response body. Iterate it once; leaving the loop early, close() or aborting `signal` ends the response.
 * After close() or an abort the iteration ends without error.
 */
export function jsonStream<T>(res: Readable, signal?: AbortSignal): JsonStream<T> {
  let closed = false;
  const stopped = () => closed || signal?.aborted === true;
  async function* iterate(): AsyncGenerator<T> {
    try {
      for await (const value of decodeJsonStream<T>(res)) {
        if (stopped()) return;
        yield value;
      }
    } catch (e) {
      if (stopped()) return;
      throw e;
    } finally {
      res.destroy();
    }
  }
  return {
    [Symbol.asyncIterator]: () => iterate(),
    close() {
      closed = true;
      res.destroy();
    },
  };
}
