// The client's HTTP layer against a fake daemon on a unix socket: version negotiation, error mapping, the hijack
// handshake in both forms, connection failures in Docker's words, filter and query encoding.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  Conflict,
  InvalidParameter,
  NotFound,
  NotImplemented,
  System,
  Unauthorized,
  Unavailable,
} from '../errdefs/index.js';
import { Client } from './client.js';
import { DaemonUnreachable, isApiError } from './errors.js';
import { encodeFilters } from './query.js';
import { parseHost, readAll } from './transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeHandler = (req: IncomingMessage, socket: Duplex) => void;

let dir: string;
const servers: Server[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-client-'));
});
after(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await rm(dir, { recursive: true, force: true });
});

let serial = 0;
async function fakeDaemon(handler: Handler, onUpgrade?: UpgradeHandler): Promise<string> {
  const server = createServer(handler);
  if (onUpgrade) server.on('upgrade', (req: IncomingMessage, socket: Duplex) => onUpgrade(req, socket));
  const path = join(dir, `d${serial++}.sock`);
  await new Promise<void>((r) => server.listen(path, r));
  servers.push(server);
  return `unix://${path}`;
}

function pingHeaders(version: string | undefined): Record<string, string> {
  return version ? { 'API-Version': version, OSType: 'linux', 'Docker-Experimental': 'false' } : {};
}

/** A daemon answering /_ping with `version`, echoing any other request's method and URL as JSON. */
async function echoDaemon(version: string | undefined, seen: string[] = []): Promise<string> {
  return fakeDaemon((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/_ping') {
      res.writeHead(200, pingHeaders(version));
      res.end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url }));
  });
}

test('the API version is min(1.47, the daemon API-Version), and paths carry it', async () => {
  const seen: string[] = [];
  const c = new Client({ host: await echoDaemon('1.41', seen) });
  assert.equal(await c.apiVersion(), '1.41');
  const r = (await c.version()) as unknown as { url: string };
  assert.equal(r.url, '/v1.41/version');
  await c.info();
  assert.deepEqual(seen, ['HEAD /_ping', 'GET /v1.41/version', 'GET /v1.41/info'], 'negotiated once');
  c.close();

  const newer = new Client({ host: await echoDaemon('1.50') });
  assert.equal(await newer.apiVersion(), '1.47');
  newer.close();
  const silent = new Client({ host: await echoDaemon(undefined) });
  assert.equal(await silent.apiVersion(), '1.24', 'no API-Version header means 1.24, as moby assumes');
  silent.close();
});

test('a pinned version skips the ping', async () => {
  const seen: string[] = [];
  const c = new Client({ host: await echoDaemon('1.41', seen), version: '1.30' });
  await c.version();
  assert.deepEqual(seen, ['GET /v1.30/version']);
  c.close();
});

test('ping falls back to GET when HEAD is refused', async () => {
  const seen: string[] = [];
  const host = await fakeDaemon((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.method === 'HEAD') {
      res.writeHead(405);
      res.end();
      return;
    }
    res.writeHead(200, { 'API-Version': '1.43', 'Docker-Experimental': 'true' });
    res.end('OK');
  });
  const c = new Client({ host });
  const p = await c.ping();
  assert.equal(p.apiVersion, '1.43');
  assert.equal(p.experimental, true);
  assert.deepEqual(seen, ['HEAD /_ping', 'GET /_ping']);
  c.close();
});

test('error responses become errdefs kinds keeping the status and the daemon message', async () => {
  const host = await fakeDaemon((req, res) => {
    if (req.url === '/_ping') {
      res.writeHead(200, pingHeaders('1.47'));
      res.end();
      return;
    }
    const status = Number(new URL(req.url ?? '', 'http://x').searchParams.get('name'));
    if (status === 418) {
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end('plain text failure\n');
      return;
    }
    if (status === 502) {
      res.writeHead(status);
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: `failure ${status}` }));
  });
  const c = new Client({ host });
  const cases: [number, new (...a: never[]) => Error][] = [
    [404, NotFound],
    [409, Conflict],
    [400, InvalidParameter],
    [401, Unauthorized],
    [501, NotImplemented],
    [500, System],
  ];
  for (const [status, kind] of cases) {
    const err = await c.containers.create({}, { name: String(status) }).catch((e: unknown) => e);
    assert.ok(err instanceof kind, `${status} → ${kind.name}`);
    assert.ok(isApiError(err));
    assert.equal(err.status, status);
    assert.equal(err.message, `failure ${status}`);
  }
  const text = await c.containers.create({}, { name: '418' }).catch((e: unknown) => e);
  assert.ok(text instanceof System && isApiError(text));
  assert.equal(text.message, 'plain text failure');
  const empty = await c.containers.create({}, { name: '502' }).catch((e: unknown) => e);
  assert.ok(isApiError(empty));
  assert.match(empty.message, /request returned Bad Gateway for API route and version/);
  c.close();
});

test('an unreachable daemon is reported in the docker CLI words', async () => {
  const host = `unix://${join(dir, 'nobody-here.sock')}`;
  const c = new Client({ host });
  const err = await c.ping().catch((e: unknown) => e);
  assert.ok(err instanceof DaemonUnreachable && err instanceof Unavailable);
  assert.equal(err.message, `Cannot connect to the Docker daemon at ${host}. Is the docker daemon running?`);
  await assert.rejects(c.containers.list(), DaemonUnreachable, 'negotiation failure propagates');
  await assert.rejects(c.containers.attach('x', { stdin: true }), DaemonUnreachable);
});

function rawHijackDaemon(answer: (socket: Duplex) => void): Promise<string> {
  return fakeDaemon(
    (req, res) => {
      res.writeHead(200, pingHeaders('1.44'));
      res.end(req.method === 'HEAD' ? undefined : 'OK');
    },
    (_req, socket) => answer(socket),
  );
}

async function roundTrip(host: string): Promise<{ status: number; text: string }> {
  const c = new Client({ host });
  const h = await c.containers.attach('abc', { stdin: true, stdout: true });
  h.socket.write('ping\n');
  h.closeWrite();
  const text = (await readAll(h.socket)).toString();
  c.close();
  return { status: h.status, text };
}

test('attach hijacks with 101 Switching Protocols, keeping bytes sent with the head', async () => {
  const host = await rawHijackDaemon((socket) => {
    socket.write(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nearly:',
    );
    socket.pipe(socket);
  });
  assert.deepEqual(await roundTrip(host), { status: 101, text: 'early:ping\n' });
});

test('attach also accepts a plain 200 hijack, as older daemons answer', async () => {
  const host = await rawHijackDaemon((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n');
    socket.pipe(socket);
  });
  assert.deepEqual(await roundTrip(host), { status: 200, text: 'ping\n' });
});

test('a refused hijack becomes the error of its status (sized and chunked bodies)', async () => {
  const body = JSON.stringify({ message: 'No such container: abc' });
  const sized = await rawHijackDaemon((socket) => {
    socket.end(
      `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
  });
  await assert.rejects(
    roundTrip(sized),
    (e: unknown) => e instanceof NotFound && e.message === 'No such container: abc',
  );
  const chunked = await rawHijackDaemon((socket) => {
    const hex = body.length.toString(16);
    socket.write(`HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    socket.write(`${hex}\r\n${body}\r\n0\r\n\r\n`); // left open: the client must not wait for the close
    socket.on('end', () => socket.end());
  });
  await assert.rejects(
    roundTrip(chunked),
    (e: unknown) => e instanceof Conflict && /No such container/.test(e.message),
  );
});

test('hijack requests ask for the tcp upgrade on the versioned route', async () => {
  let head: IncomingMessage | undefined;
  const host = await fakeDaemon(
    (_req, res) => {
      res.writeHead(200, pingHeaders('1.41'));
      res.end();
    },
    (req, socket) => {
      head = req;
      socket.end('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    },
  );
  const c = new Client({ host });
  const h = await c.exec.start('e1', { Tty: true });
  await readAll(h.socket);
  assert.equal(head?.url, '/v1.41/exec/e1/start');
  assert.equal(head?.method, 'POST');
  assert.equal(head?.headers.upgrade, 'tcp');
  assert.match(head?.headers.connection ?? '', /upgrade/i);
  c.close();
});

test('filters are encoded as moby filters.ToJSON does, and left out when empty', async () => {
  assert.equal(
    encodeFilters({ status: 'running', label: ['b=2', 'a=1'] }),
    '{"label":{"a=1":true,"b=2":true},"status":{"running":true}}',
  );
  assert.equal(encodeFilters({}), undefined);
  assert.equal(encodeFilters({ label: [] }), undefined);
  const c = new Client({ host: await echoDaemon('1.41') });
  const r = (await c.containers.list({ all: true, filters: { name: 'x' } })) as unknown as { url: string };
  const url = new URL(r.url, 'http://x');
  assert.equal(url.pathname, '/v1.41/containers/json');
  assert.equal(url.searchParams.get('all'), '1');
  assert.equal(url.searchParams.get('filters'), '{"name":{"x":true}}');
  const img = (await c.images.inspect('example.com/app:v1')) as unknown as { url: string };
  assert.equal(img.url, '/v1.41/images/example.com/app:v1/json', 'references travel unescaped');
  c.close();
});

test('DOCKER_HOST forms parse as Docker reads them', () => {
  assert.deepEqual(parseHost('unix:///run/x.sock'), { kind: 'unix', socketPath: '/run/x.sock' });
  assert.deepEqual(parseHost('tcp://10.0.0.1'), { kind: 'tcp', hostname: '10.0.0.1', port: 2375, tls: false });
  assert.deepEqual(parseHost('tcp://h:1234', true), { kind: 'tcp', hostname: 'h', port: 1234, tls: true });
  assert.deepEqual(parseHost('https://h'), { kind: 'tcp', hostname: 'h', port: 2376, tls: true });
  assert.deepEqual(parseHost('tcp://[::1]:2375'), { kind: 'tcp', hostname: '::1', port: 2375, tls: false });
  assert.throws(() => parseHost('/run/x.sock'), InvalidParameter);
  assert.throws(() => parseHost('ssh://me@h'), NotImplemented);
});

test('a streamed upload reaches the daemon whole', async () => {
  let received = '';
  const host = await fakeDaemon(async (req, res) => {
    if (req.url === '/_ping') {
      res.writeHead(200, pingHeaders('1.41'));
      res.end();
      return;
    }
    received = (await readAll(req)).toString();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"status":"sha256:feed"}\n');
  });
  const c = new Client({ host });
  const { Readable } = await import('node:stream');
  const r = await c.images.import(Readable.from(['part1-', 'part2']), { repo: 'x', changes: ['CMD ["sh"]'] });
  assert.equal(received, 'part1-part2');
  assert.equal(r.id, 'sha256:feed');
  c.close();
});
