// The last resort: whatever one request does, berthd keeps serving the others. A handler's error becomes a
// {"message"} answer (or, once the answer has begun, the connection is cut). An exception that escapes into a
// callback of its own (a timer, a stream event) is logged and berthd goes on: the containers it supervises matter more
// than a clean slate. (Tracing such a fault back to its request with AsyncLocalStorage cost every container start
// ~3%, measured: its promise hooks run on every promise; so the request it came from is left to its client's timeout.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { statusOf } from './httpstatus.js';

export interface ErrorLogger {
  debug(msg: string): void;
  error(msg: string): void;
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
 * Installs the process-wide net once (berthd's wiring calls it): an uncaught exception or unhandled rejection is
 * logged with its stack, and the daemon goes on.
 */
export function installRequestSafetyNet(log: ErrorLogger): void {
  const onFault = (kind: string) => (e: unknown) => {
    log.error(`${kind} (berthd goes on): ${e instanceof Error && e.stack ? e.stack : String(e)}`);
  };
  process.on('uncaughtException', onFault('uncaught exception'));
  process.on('unhandledRejection', onFault('unhandled rejection'));
}
