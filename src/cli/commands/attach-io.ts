// The docker CLI's hijackedIOStreamer: copies a hijacked attach/exec connection to stdout/stderr (demultiplexed
// unless there is a TTY) and stdin into it; with a TTY the terminal goes raw and the detach keys (Ctrl-P Ctrl-Q by
// default) are caught here, so the CLI can leave the container running.
import { demux, type HijackedStream } from '../../client/index.js';
import type { Cli } from './cli.js';

export interface AttachIO {
  /** Process TTY: raw output, raw terminal, client-side detach keys. */
  tty: boolean;
  /** Copy our stdin into the connection. */
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** The container's stderr goes to our stdout (run -t does this). */
  stderrToStdout?: boolean;
  /** "ctrl-p,ctrl-q" when empty. */
  detachKeys: string;
}

export type StreamEnd = 'eof' | 'detached';

export interface Streaming {
  /** Resolves when the output ends (or stdin ends and there is no output), or 'detached' on the detach keys. */
  done: Promise<StreamEnd>;
  /** Stops streaming now (the container failed to start, or it exited first); resolves once the terminal is back. */
  cancel(): Promise<void>;
}

const DEFAULT_DETACH_KEYS = [16, 17];

/** term.ToBytes: "ctrl-p,ctrl-q" → [16, 17]; single characters stand for themselves. */
export function detachKeyBytes(keys: string): number[] {
  const out: number[] = [];
  for (const key of keys.split(',')) {
    if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/i.exec(key);
    const i = m ? '@abcdefghijklmnopqrstuvwxyz[\\]^_'.indexOf(m[1]!.toLowerCase()) : -1;
    if (i < 0) throw new Error(`Unknown character: '${key}'`);
    out.push(i);
  }
  return out;
}

/** term.NewEscapeProxy's matcher: holds back a prefix of the sequence; the whole sequence is a detach. */
export class EscapeProxy {
  private pos = 0;
  constructor(private readonly keys: readonly number[]) {}

  push(chunk: Buffer): { data: Buffer; escaped: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.pos]) {
        this.pos++;
        if (this.pos === this.keys.length) {
          this.pos = 0;
          return { data: Buffer.from(out), escaped: true };
        }
        continue;
      }
      out.push(...this.keys.slice(0, this.pos));
      this.pos = 0;
      if (b === this.keys[0]) this.pos = 1;
      else out.push(b);
    }
    return { data: Buffer.from(out), escaped: false };
  }
}

let rawRestore: (() => void) | undefined;

/** Leaves raw mode if it was set (also on exit, so a crash never leaves the terminal raw). */
export function restoreTerminal(): void {
  rawRestore?.();
  rawRestore = undefined;
}

function setRaw(cli: Cli): void {
  const stdin = cli.stdin;
  if (!stdin.isTTY || rawRestore) return;
  stdin.setRawMode(true);
  rawRestore = () => stdin.setRawMode(false);
  process.once('exit', restoreTerminal);
}

const writeTo = (stream: NodeJS.WriteStream) => (chunk: Buffer) =>
  stream.write(chunk) ? undefined : new Promise<void>((r) => stream.once('drain', r));

/** Starts streaming `hs`; see Streaming. */
export function streamAttached(cli: Cli, hs: HijackedStream, io: AttachIO): Streaming {
  const socket = hs.socket;
  let settle!: (end: StreamEnd) => void;
  const done = new Promise<StreamEnd>((resolve) => {
    settle = resolve;
  });
  let finished = false;
  const finish = (end: StreamEnd) => {
    if (finished) return;
    finished = true;
    stopInput();
    if (io.tty) restoreTerminal();
    settle(end);
  };

  let stopInput = () => {};
  if (io.stdin) {
    if (io.tty) setRaw(cli);
    const proxy = io.tty
      ? new EscapeProxy(io.detachKeys ? detachKeyBytes(io.detachKeys) : DEFAULT_DETACH_KEYS)
      : undefined;
    const stdin = cli.stdin;
    const onData = (chunk: Buffer) => {
      const { data, escaped } = proxy ? proxy.push(chunk) : { data: chunk, escaped: false };
      if (data.length > 0 && !socket.destroyed) socket.write(data);
      if (escaped) finish('detached');
    };
    const onEnd = () => {
      if (io.tty) restoreTerminal();
      if (!socket.destroyed) hs.closeWrite();
      if (!io.stdout && !io.stderr) finish('eof');
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stopInput = () => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.pause();
    };
  } else if (!io.stdout && !io.stderr) {
    finish('eof');
  }

  if (io.stdout || io.stderr) {
    const toOut = writeTo(cli.stdout);
    const toErr = io.stderrToStdout ? toOut : writeTo(cli.stderr);
    const copy = io.tty
      ? (async () => {
          for await (const chunk of socket) await toOut(chunk as Buffer);
        })()
      : demux(socket, toOut, toErr);
    copy.then(
      () => finish('eof'),
      () => finish('eof'),
    );
  }

  return {
    done,
    async cancel() {
      finish('eof');
      socket.destroy();
      await done;
    },
  };
}

/**
 * MonitorTtySize: sizes the container's (or exec's) TTY to our terminal now (retrying briefly, as the process may
 * not be up yet) and again on every SIGWINCH.
 */
export function monitorTtySize(cli: Cli, resize: (size: { h: number; w: number }) => Promise<void>): void {
  const stdout = cli.stdout;
  if (!stdout.isTTY) return;
  const size = () => ({ h: stdout.rows, w: stdout.columns });
  void (async () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      try {
        await resize(size());
        return;
      } catch {
        await new Promise((r) => setTimeout(r, attempt * 100));
      }
    }
  })();
  stdout.on('resize', () => {
    resize(size()).catch(() => {});
  });
}

/** In.CheckTty: a TTY with stdin attached needs our stdin to be a terminal. */
export function checkTty(cli: Cli, attachStdin: boolean, tty: boolean): void {
  if (tty && attachStdin && !cli.stdin.isTTY) throw new Error('the input device is not a TTY');
}
