// The attach/exec "hijack": an HTTP request on a connection of its own, after whose response head the connection
// carries the container's raw stdio both ways. The request asks for `Upgrade: tcp`; daemons answer 101 Switching
// Protocols, or (older ones) a plain 200 and then the raw stream, and both are accepted, as the docker CLI does.
import type { Socket } from 'node:net';
import { errorFromResponse } from './errors.js';

export interface HijackedStream {
  /** The connection: write stdin to it, read stdout/stderr (multiplexed unless the process has a TTY). */
  socket: Socket;
  status: number;
  /** Response headers, lower-cased names. */
  headers: Record<string, string>;
  /** `application/vnd.docker.multiplexed-stream` or `…raw-stream` when the daemon says (API 1.42+). */
  contentType: string | undefined;
  /** Half-closes the connection: the process sees the end of its stdin while its output can still be read. */
  closeWrite(): void;
}

export interface HijackRequest {
  method: string;
  path: string;
  hostHeader: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The route as errors name it. */
  route: string;
}

const HEAD_LIMIT = 64 * 1024;

/** Sends `req` on `socket` (connected or connecting) and resolves once the daemon's response head is read. */
export function hijack(socket: Socket, req: HijackRequest): Promise<HijackedStream> {
  const lines = [`${req.method} ${req.path} HTTP/1.1`, `Host: ${req.hostHeader}`];
  const headers: Record<string, string> = { ...req.headers, Connection: 'Upgrade', Upgrade: 'tcp' };
  if (req.body) headers['Content-Length'] = String(req.body.length);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  // Head and body in one write, so they reach the daemon together, as they usually do from Go's client (a daemon
  // reading the body of an upgraded request may only look at what came with the head).
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  socket.write(req.body ? Buffer.concat([head, req.body]) : head);

  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const cleanup = () => {
      socket.removeListener('readable', onReadable);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onEnd = () => {
      cleanup();
      socket.destroy();
      reject(new Error(`the daemon closed the connection before answering ${req.route}`));
    };
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffered.length > HEAD_LIMIT) {
            socket.destroy();
            onError(new Error(`response head of ${req.route} too large`));
            return;
          }
          continue;
        }
        cleanup();
        const head = parseHead(buffered.subarray(0, end).toString('latin1'));
        const rest = buffered.subarray(end + 4);
        if (head.status === 101 || (head.status >= 200 && head.status < 300)) {
          if (rest.length > 0) socket.unshift(rest);
          resolve({
            socket,
            status: head.status,
            headers: head.headers,
            contentType: head.headers['content-type'],
            closeWrite: () => {
              socket.end();
            },
          });
        } else {
          readBody(socket, head.headers, rest).then(
            (body) => {
              socket.destroy();
              reject(errorFromResponse(head.status, body, req.route));
            },
            (e: unknown) => {
              socket.destroy();
              reject(e);
            },
          );
        }
        return;
      }
    };
    socket.on('readable', onReadable);
    socket.on('error', onError);
    socket.on('end', onEnd);
  });
}

function parseHead(text: string): { status: number; headers: Record<string, string> } {
  const [statusLine = '', ...headerLines] = text.split('\r\n');
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine);
  if (!m) throw new Error(`malformed HTTP response: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers };
}

/** An error response's body: Content-Length bytes, a chunked body, or everything up to the close. */
async function readBody(socket: Socket, headers: Record<string, string>, first: Buffer): Promise<Buffer> {
  let body = first;
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
  const done = () => {
    if (length !== undefined) return body.length >= length;
    return chunked && (body.subarray(0, 5).equals(LAST_CHUNK) || body.subarray(-7).equals(CRLF_LAST_CHUNK));
  };
  if (!done()) {
    for await (const chunk of socket) {
      body = Buffer.concat([body, chunk as Buffer]);
      if (done()) break;
    }
  }
  if (length !== undefined) return body.subarray(0, length);
  return chunked ? dechunk(body) : body;
}

const LAST_CHUNK = Buffer.from('0\r\n\r\n');
const CRLF_LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n');

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let off = 0;
  while (off < body.length) {
    const eol = body.indexOf('\r\n', off);
    if (eol < 0) break;
    const size = Number.parseInt(body.subarray(off, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    off = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
