// The last resort: whatever one request does, berthd keeps serving the others. A handler's error becomes a
// {"message"} answer (or, once the answer has begun, the connection is cut); an exception thrown later from a
// request's own callbacks (a timer, a stream event) is traced back to that request through AsyncLocalStorage and
// ends only that request's connection. Errors outside any request stay fatal, as Node makes them by default.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { statusOf } from './httpstatus.js';

export interface ErrorLogger {
  debug(msg: string): void;
  error(msg: string): void;
}

/** What the safety net needs to know about the request a callback belongs to. */
interface RequestScope {
  describe: string;
  socket: Duplex | null;
  /** Until the handling settles: a fault after that must not cut a later request on a kept-alive connection. */
  open: boolean;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `handle` (a request's whole handling) as that request's scope. */
export async function inRequestScope(
  req: IncomingMessage,
  socket: Duplex | null,
  handle: () => Promise<void>,
): Promise<void> {
  const request: RequestScope = { describe: `${req.method} ${req.url}`, socket, open: true };
  try {
    await scope.run(request, handle);
  } finally {
    request.open = false;
  }
}

/** Answers an error on whichever channel the request still has; never throws. */
export function answerError(
  log: ErrorLogger,
  req: IncomingMessage,
  channel: { res?: ServerResponse | undefined; socket?: Duplex | undefined },
  e: unknown,
): void {
  const status = statusOf(e);
  const message = e instanceof Error ? e.message : String(e);
  // A 500 is berth's own fault: its stack says where. Other 5xx (not implemented, unavailable) are refusals.
  if (status === 500) log.error(`${req.method} ${req.url}: ${e instanceof Error && e.stack ? e.stack : message}`);
  else if (status > 500) log.error(`${req.method} ${req.url}: ${status} ${message}`);
  else log.debug(`${req.method} ${req.url}: ${status} ${message}`);
  const body = `${JSON.stringify({ message })}\n`;
  const { res, socket } = channel;
  try {
    if (res && !res.headersSent && !res.destroyed) {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else if (res) {
      res.destroy();
    } else if (socket && !socket.destroyed) {
      socket.end(
        `HTTP/1.1 ${status} ${status >= 500 ? 'Internal Server Error' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  } catch (writeError) {
    log.error(`${req.method} ${req.url}: could not answer the error: ${(writeError as Error).message}`);
    (res?.socket ?? socket)?.destroy();
  }
}

/**
 * Installs the process-wide net once (berthd's wiring calls it): an uncaught exception or unhandled rejection that
 * belongs to a request is logged and ends that request's connection; any other ends the process as Node would.
 */
export function installRequestSafetyNet(log: ErrorLogger): void {
  const onFault = (kind: string) => (e: unknown) => {
    const request = scope.getStore();
    const text = e instanceof Error && e.stack ? e.stack : String(e);
    if (!request) {
      process.stderr.write(`${kind} outside any request, berthd stops: ${text}\n`);
      process.exit(1);
    }
    log.error(`${kind} in ${request.describe} (its connection is closed, berthd goes on): ${text}`);
    if (request.open) request.socket?.destroy();
  };
  process.on('uncaughtException', onFault('uncaught exception'));
  process.on('unhandledRejection', onFault('unhandled rejection'));
}
