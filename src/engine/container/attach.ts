// Joins a client's hijacked connection to a shim's attach socket (docs/helper-protocol.md): the shim speaks Docker's
// 8-byte framing both ways; the client sends raw stdin and gets frames (no TTY) or raw bytes (TTY). Detach keys and
// StdinOnce are decided here, as moby's container/stream/attach.go does.
import type { Duplex } from 'node:stream';
import { InvalidParameter } from '../../errdefs/index.js';
import { FrameKind, frame, frameReader } from '../../runtime/container-runtime.js';

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** Close the container's stdin when the client's input ends (Config.StdinOnce; ignored with a TTY). */
  stdinOnce: boolean;
  /** Byte sequence that ends the attach without touching the container (default Ctrl-P Ctrl-Q). */
  detachKeys: Buffer;
  /** Awaited before the client's stream is ended (not on detach): exec ends it only once the exit code is recorded. */
  beforeEnd?: () => Promise<void>;
}

export const DEFAULT_DETACH_KEYS = Buffer.from([0x10, 0x11]);

/** Docker's detach-keys syntax: comma-separated "a"-"z" letters, "ctrl-<x>" for x in a-z @ [ \ ] ^ _ . */
export function parseDetachKeys(spec: string | undefined): Buffer {
  if (spec === undefined || spec === '') return DEFAULT_DETACH_KEYS;
  const out: number[] = [];
  for (const key of spec.split(',')) {
    if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(key);
    if (!m) throw new InvalidParameter(`Invalid detach keys (${spec}) provided`);
    const c = (m[1] as string).charCodeAt(0);
    out.push(c >= 97 ? c - 96 : c - 64);
  }
  return Buffer.from(out);
}

/**
 * Pipes until the container's output ends, the client goes, or the client types the detach keys. Resolves with
 * whether the client detached.
 */
export function pipeAttach(shim: Duplex, client: Duplex, opts: AttachOptions): Promise<{ detached: boolean }> {
  return new Promise((resolve) => {
    let done = false;
    let detached = false;
    const finish = () => {
      if (done) return;
      done = true;
      shim.destroy();
      const hold = detached || !opts.beforeEnd ? Promise.resolve() : opts.beforeEnd().catch(() => {});
      void hold.then(() => {
        if (!client.destroyed) client.end();
        resolve({ detached });
      });
    };
    shim.on(
      'data',
      frameReader((kind, payload) => {
        if (kind === FrameKind.Stdout && !opts.stdout) return;
        if (kind === FrameKind.Stderr && !opts.stderr) return;
        if (kind !== FrameKind.Stdout && kind !== FrameKind.Stderr) return;
        if (client.writableEnded || client.destroyed) return;
        client.write(opts.tty ? payload : frame(kind, payload));
      }),
    );
    shim.on('close', finish);
    shim.on('error', finish);
    shim.resume();
    client.on('error', finish);
    client.on('close', finish);
    if (!opts.stdin) return;
    const keys = opts.detachKeys;
    let matched = 0;
    const send = (bytes: Buffer) => {
      if (bytes.length > 0) shim.write(frame(FrameKind.Stdin, bytes));
    };
    client.on('data', (chunk: Buffer) => {
      if (matched === 0 && chunk.indexOf(keys[0] as number) < 0) return send(chunk);
      const out: number[] = [];
      for (const b of chunk) {
        if (b === keys[matched]) {
          matched++;
          if (matched === keys.length) {
            send(Buffer.from(out));
            detached = true;
            finish();
            return;
          }
          continue;
        }
        // A sequence that did not complete was input after all.
        for (let i = 0; i < matched; i++) out.push(keys[i] as number);
        matched = 0;
        if (b === keys[0]) {
          matched = 1;
          if (keys.length === 1) {
            send(Buffer.from(out));
            detached = true;
            finish();
            return;
          }
        } else out.push(b);
      }
      send(Buffer.from(out));
    });
    // The server may have paused the connection while it read the request body behind the upgrade.
    client.resume();
    client.on('end', () => {
      // Only without a TTY, as moby's attach does: a TTY container's stdin is its terminal, which outlives any one
      // client (`docker run -it`, detach, then `docker attach` must still type into it).
      if (opts.stdinOnce && !opts.tty) shim.write(frame(FrameKind.CloseStdin, Buffer.alloc(0)));
      if (!opts.stdout && !opts.stderr) finish();
    });
  });
}

/**
 * An attach with logs=1: the container's log so far, raw with a TTY, else framed (moby's attach replays the json-file
 * log before it streams). Stops early when the client goes.
 */
export async function replayLogs(
  entries: AsyncIterable<{ stream: 1 | 2; data: Buffer }>,
  client: Duplex,
  tty: boolean,
): Promise<void> {
  for await (const e of entries) {
    if (client.destroyed || client.writableEnded) return;
    const kind = e.stream === 2 ? FrameKind.Stderr : FrameKind.Stdout;
    if (!client.write(tty ? e.data : frame(kind, e.data))) await drainedOrClosed(client);
  }
}

function drainedOrClosed(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
