// Talks to a running shim over its control socket (docs/helper-protocol.md): start, wait, attach, resize, close-stdin.
import { type Socket, connect } from 'node:net';
import { readJsonIfExists } from '../../lib/atomic-file.js';

export interface ExitStatus {
  pid: number;
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  exitedAt: string;
}

function open(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Sends one request line and resolves with the first reply line (the socket is then closed). */
export async function request(socketPath: string, line: string): Promise<string> {
  const s = await open(socketPath);
  return new Promise((resolve, reject) => {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        s.destroy();
        resolve(buf.slice(0, nl));
      }
    });
    s.once('error', reject);
    s.once('close', () => reject(new Error(`shim closed the connection during "${line}"`)));
    s.write(`${line}\n`);
  });
}

/**
 * Resolves when the container has exited, with its status: from the shim if it is alive, else from the exit file it
 * left. Undefined when neither knows (the shim died without writing one).
 */
export async function waitExit(socketPath: string, exitFile: string): Promise<ExitStatus | undefined> {
  let s: Socket;
  try {
    s = await open(socketPath);
  } catch {
    return readJsonIfExists<ExitStatus>(exitFile);
  }
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
    });
    s.on('error', () => {});
    s.once('close', () => resolve(buf));
    s.write('wait\n');
  });
  const json = line.trim();
  if (json.startsWith('{')) return JSON.parse(json) as ExitStatus;
  return readJsonIfExists<ExitStatus>(exitFile);
}

/** Opens an attach stream: after this, frames flow both ways (Docker's 8-byte stream framing). */
export async function attach(socketPath: string): Promise<Socket> {
  const s = await open(socketPath);
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      s.removeListener('data', onData);
      const line = buf.subarray(0, nl).toString('utf8');
      if (line !== 'ok') {
        s.destroy();
        reject(new Error(`attach refused: ${line}`));
        return;
      }
      const rest = buf.subarray(nl + 1);
      s.pause();
      resolve(s);
      if (rest.length > 0) s.unshift(rest);
    };
    s.on('data', onData);
    s.once('error', reject);
    s.write('attach\n');
  });
}

export const FrameKind = { Stdin: 0, Stdout: 1, Stderr: 2, CloseStdin: 3, Resize: 4 } as const;

export function frame(kind: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export function resizeFrame(rows: number, cols: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt16BE(rows, 0);
  p.writeUInt16BE(cols, 2);
  return frame(FrameKind.Resize, p);
}

/** Splits a framed byte stream into (kind, payload) callbacks; returns a push function for incoming chunks. */
export function frameReader(onFrame: (kind: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 8) {
      const len = buf.readUInt32BE(4);
      if (buf.length < 8 + len) break;
      onFrame(buf[0] as number, buf.subarray(8, 8 + len));
      buf = buf.subarray(8 + len);
    }
  };
}
