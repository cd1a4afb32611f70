// Talks to a running shim over its control socket (docs/helper-protocol.md): start, wait, attach, resize, close-stdin.
import { type Socket, connect } from 'node:net';
import { Conflict } from '../../errdefs/index.js';
import { readJsonIfExists } from '../../lib/atomic-file.js';
import type { ExitStatus } from '../container-runtime.js';

export type { ExitStatus };

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

/** Sets the pty's window size; Conflict when the shim refuses (no pty, or it is gone). */
export async function resize(socketPath: string, rows: number, cols: number): Promise<void> {
  const reply = await request(socketPath, `resize ${rows} ${cols}`);
  if (reply !== 'ok' && !reply.includes('ENOTTY')) throw new Conflict(`cannot resize: ${reply}`);
}

/** Closes the container's stdin once the bytes already queued are written. */
export async function closeStdin(socketPath: string): Promise<void> {
  const reply = await request(socketPath, 'close-stdin');
  if (reply !== 'ok') throw new Conflict(`cannot close stdin: ${reply}`);
}

export { FrameKind, frame, frameReader, resizeFrame } from '../frames.js';
