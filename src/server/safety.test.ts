// The last resort, on a real server in a child process (the safety net is process-wide, so not in the test runner's
// own process): handlers that throw synchronously, reject, throw a non-Error, throw after the answer began, throw
// from a timer of their own, or throw on an upgrade route: the server answers what it can and goes on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const here = new URL('.', import.meta.url).href;

/** A child that serves routes whose handlers misbehave, on `socket`, and prints "listening" once it does. */
const SERVER = (socket: string) => `
import { ApiRouter, createApiServer } from ${JSON.stringify(`${here}server.js`)};
import { installRequestSafetyNet } from ${JSON.stringify(`${here}safety.js`)};
const log = { debug() {}, error(m) { process.stderr.write(m + '\\n'); } };
installRequestSafetyNet(log);
const r = new ApiRouter();
r.add('GET', '/ok', (ctx) => { ctx.res.writeHead(200); ctx.res.end('fine'); });
r.add('GET', '/sync', () => { throw new Error('sync bug'); });
r.add('GET', '/async', async () => { await null; throw new TypeError('async bug'); });
r.add('GET', '/string', () => { throw 'not an Error'; });
r.add('GET', '/begun', (ctx) => { ctx.res.writeHead(200); ctx.res.write('partial'); throw new Error('late bug'); });
r.add('GET', '/timer', (ctx) => new Promise(() => { setTimeout(() => { throw new Error('timer bug'); }, 5); }));
r.add('GET', '/rejection', () => { Promise.reject(new Error('forgotten promise')); return new Promise(() => {}); });
r.add('POST', '/upgrade', () => { throw new Error('upgrade bug'); });
const server = createApiServer(r, log, 'test');
server.listen(${JSON.stringify(socket)}, () => process.stdout.write('listening\\n'));
`;

function get(socketPath: string, path: string): Promise<{ status: number; body: string } | 'closed'> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve('closed'));
      res.on('aborted', () => resolve('closed'));
    });
    req.on('error', () => resolve('closed'));
    req.setTimeout(2000, () => req.destroy());
    req.end();
  });
}

function upgrade(socketPath: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(socketPath);
    let out = '';
    sock.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const timer = setTimeout(() => sock.destroy(), 5000);
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.write('POST /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
  });
}

test('a handler that throws, in any way, never ends the server', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-safety-'));
  const socket = join(dir, 's.sock');
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER(socket)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('listening') && resolve());
      child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    });
    const alive = async (after: string) => {
      assert.equal(child.exitCode, null, `the server died after ${after}: ${stderr}`);
      assert.deepEqual(await get(socket, '/ok'), { status: 200, body: 'fine' }, after);
    };
    for (const [path, message] of [
      ['/sync', 'sync bug'],
      ['/async', 'async bug'],
      ['/string', 'not an Error'],
    ] as const) {
      const r = await get(socket, path);
      assert.notEqual(r, 'closed', path);
      assert.equal(r !== 'closed' && r.status, 500, path);
      assert.deepEqual(r !== 'closed' && JSON.parse(r.body), { message }, path);
      await alive(path);
    }
    for (const path of ['/begun', '/timer', '/rejection']) {
      const r = await get(socket, path);
      // The answer had begun (the connection is cut), or could never come (the client gives up): the server goes on.
      assert.ok(r === 'closed' || r.status === 200, `${path}: ${JSON.stringify(r)}`);
      await alive(path);
    }
    assert.match(await upgrade(socket), /^HTTP\/1\.1 500 .*\r\n[\s\S]*\{"message":"upgrade bug"\}/);
    await alive('/upgrade');
    assert.match(stderr, /uncaught exception \(berthd goes on\): Error: timer bug/);
    assert.match(stderr, /unhandled rejection \(berthd goes on\): Error: forgotten promise/);
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
