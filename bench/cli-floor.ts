// The docker CLI's own cost: an Engine API stand-in that answers the requests of `docker run` and `docker rm -f` at
// once, without any container behind them. Whatever an engine does, a command through the docker CLI takes at least
// this long, so it bounds the ratio any engine can reach against dockerd in bench/engine.ts. Benchmark-only: it
// answers just what those commands send (create, attach, wait, start, delete, /_ping, and /build for `docker build`).
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface InstantEngine {
  host: string;
  close(): Promise<void>;
}

const ID = 'f'.repeat(64);

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
}

export async function startInstantEngine(dir: string): Promise<InstantEngine> {
  const socket = join(dir, 'instant-engine.sock');
  await rm(socket, { force: true });
  const server = createServer((req, res) => {
    const url = (req.url ?? '').replace(/^\/v[\d.]+/, '');
    const json = (status: number, body?: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': '1.47' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      if (url.startsWith('/_ping')) {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': '1.47', Ostype: 'linux' });
        res.end(req.method === 'HEAD' ? undefined : 'OK');
      } else if (url.startsWith('/containers/create')) json(201, { Id: ID, Warnings: [] });
      else if (/^\/containers\/\w+\/start/.test(url)) json(204);
      else if (/^\/containers\/\w+\/wait/.test(url)) json(200, { StatusCode: 0, Error: null });
      else if (req.method === 'DELETE' && /^\/containers\/\w+/.test(url)) json(204);
      else if (url.startsWith('/build')) {
        // A build that is done at once: the image ID and the legacy builder's last line.
        res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.47' });
        res.end(`{"aux":{"ID":"sha256:${ID}"}}\n{"stream":"Successfully built ${ID.slice(0, 12)}\\n"}\n`);
      } else json(404, { message: `not answered by the instant engine: ${req.method} ${url}` });
    });
  });
  // attach: a raw stream that ends at once (the container "printed nothing").
  server.on('upgrade', (_req, sock) => {
    sock.end(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
  });
  await listen(server, socket);
  return {
    host: `unix://${socket}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      await rm(socket, { force: true });
    },
  };
}
