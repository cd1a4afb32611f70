// Requests no client should send, on a raw socket: request targets URL parsers reject, HTTP/0.9, malformed escapes,
// oversized headers, a bad Content-Length, a NUL in the request line. Each is refused (a 4xx, or a closed connection
// where Node's parser refuses the bytes), and after each berthd still answers /_ping and still lists a container made
// before. One of these used to end the daemon's process.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { daemonSuite } from './helpers.js';

const s = await daemonSuite({
  setup: async (d) => {
    await d.docker('create', '--name', 'survivor', 'busybox', 'true');
  },
});
const T = { skip: s.skip, timeout: 60_000 };

/** Writes `data` on a fresh connection; resolves with what came back once the daemon closes it (or after 3 s). */
function exchange(data: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(s.d.socketPath);
    let out = '';
    const timer = setTimeout(() => sock.destroy(), 3000);
    sock.on('data', (b: Buffer) => {
      out += b.toString('latin1');
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.write(data);
  });
}

/** The status of the first response in `raw`, or undefined when nothing came back. */
function statusOf(raw: string): number | undefined {
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(raw);
  return m ? Number(m[1]) : undefined;
}

/** The {"message"} body of a refusal. */
function messageOf(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const parsed = JSON.parse(body) as { message?: unknown };
  assert.equal(typeof parsed.message, 'string', raw);
  return parsed.message as string;
}

/** berthd still serves: /_ping answers OK and the container created before the hostile requests is still listed. */
async function stillServing(after: string): Promise<void> {
  const ping = await s.d.request('GET', '/_ping').catch((e: Error) => ({ status: 0, body: e.message }));
  assert.equal(ping.status, 200, `/_ping after ${after}: ${ping.body}\n${await s.d.logTail()}`);
  const list = await s.d.request('GET', '/containers/json?all=1');
  assert.equal(list.status, 200, list.body);
  const names = (JSON.parse(list.body) as { Names: string[] }[]).flatMap((c) => c.Names);
  assert.ok(names.includes('/survivor'), `after ${after}: ${names.join(',')}`);
}

const line = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: berth\r\n${extra}\r\n`;

test('request targets a URL parser rejects are 400s with a {"message"} body, and berthd lives on', T, async () => {
  for (const target of ['//', '//x/_ping', 'http://[/_ping', 'http://a:99999/_ping', '*']) {
    const raw = await exchange(line(target));
    assert.equal(statusOf(raw), 400, `${target}: ${raw}`);
    assert.match(messageOf(raw), /malformed request target/, target);
    await stillServing(target);
  }
});

test('an absolute-form target with a sound authority is served like its path', T, async () => {
  const raw = await exchange(line('http://berth:2375/_ping', 'Connection: close\r\n'));
  assert.equal(statusOf(raw), 200, raw);
  assert.ok(raw.endsWith('OK'), raw);
});

test('a malformed percent-escape in the path or the query is a 400, not a 500', T, async () => {
  for (const target of [
    '/containers/%zz/json',
    '/images/%E0%A4%A/json',
    '/containers/json?filters=%',
    '/containers/json?all=1&x=%G1',
  ]) {
    const raw = await exchange(line(target, 'Connection: close\r\n'));
    assert.equal(statusOf(raw), 400, `${target}: ${raw}`);
    assert.match(messageOf(raw), /^invalid URL escape "%/, target);
    await stillServing(target);
  }
  // Well-formed escapes of bytes that are not UTF-8 make a name no image has (U+FFFD in it), not a crash.
  const raw = await exchange(line('/images/%E0%A4/json', 'Connection: close\r\n'));
  assert.equal(statusOf(raw), 400, raw);
  assert.equal(messageOf(raw), 'invalid reference format');
  await stillServing('/images/%E0%A4/json');
});

test('an HTTP/0.9 request line (no version) is a 400, HTTP/2.0 on an HTTP/1 connection a 505', T, async () => {
  // Go's net/http answers "400 Bad Request" and closes; so does berthd.
  const raw = await exchange('GET /_ping\r\n\r\n');
  assert.equal(statusOf(raw), 400, raw);
  assert.equal(messageOf(raw), 'unsupported protocol version');
  assert.match(raw, /\r\nConnection: close\r\n/);
  await stillServing('HTTP/0.9');
  // A version past 1.x on an HTTP/1 connection: Go's 505 and text.
  const future = await exchange('GET /_ping HTTP/2.0\r\nHost: x\r\n\r\n');
  assert.equal(statusOf(future), 505, future);
  assert.equal(messageOf(future), 'unsupported protocol version');
  await stillServing('HTTP/2.0');
});

test("what Node's parser refuses gets a 4xx and a closed connection", T, async () => {
  const cases: [string, string | Buffer, number][] = [
    ['a huge header', line('/_ping', `X-Big: ${'a'.repeat(64 * 1024)}\r\n`), 431],
    ['a bad Content-Length', 'POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400],
    ['two Content-Lengths', 'POST /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 400],
    ['a NUL in the request line', Buffer.from('GET /_p\0ing HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'), 400],
    ['a space in the target', 'GET /_ping x HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['garbage', '\x00\x01\x02 this is not HTTP\r\n\r\n', 400],
  ];
  for (const [what, data, want] of cases) {
    const raw = await exchange(data);
    assert.equal(statusOf(raw), want, `${what}: ${raw.slice(0, 200)}`);
    assert.match(raw, /\r\nConnection: close\r\n/, what);
    await stillServing(what);
  }
});

test("query-string numbers that are not integers are 400s with Go's strconv text", T, async () => {
  for (const [method, path, param] of [
    ['POST', '/containers/survivor/stop?t=abc', 'abc'],
    ['POST', '/containers/survivor/restart?t=1.5', '1.5'],
    ['POST', '/containers/survivor/resize?h=abc&w=80', 'abc'],
    ['POST', '/containers/survivor/resize?h=24&w=0x50', '0x50'],
    ['GET', '/containers/json?limit=1e3', '1e3'],
    ['POST', '/containers/survivor/stop?t=99999999999999999999', '99999999999999999999'],
  ] as const) {
    const r = await s.d.request(method, path);
    assert.equal(r.status, 400, `${method} ${path}: ${r.status} ${r.body}`);
    const message = (JSON.parse(r.body) as { message: string }).message;
    assert.match(message, new RegExp(`^strconv\\.Atoi: parsing "${param.replace('.', '\\.')}": `), path);
  }
  // As moby's daemon/logs.go: a `tail` that is not a number means all lines.
  const tail = await s.d.request('GET', '/containers/survivor/logs?stdout=1&tail=ten');
  assert.equal(tail.status, 200, tail.body);
  await stillServing('bad numbers');
});

test('malformed filters are 400s (prune and list), and nothing is pruned', T, async () => {
  for (const [method, path] of [
    ['POST', `/containers/prune?filters=${encodeURIComponent('{"until":')}`],
    ['POST', `/containers/prune?filters=${encodeURIComponent('{"label":[1]}')}`],
    ['POST', `/containers/prune?filters=${encodeURIComponent('["label"]')}`],
    ['GET', `/containers/json?filters=${encodeURIComponent('{"name":"x"}')}`],
  ] as const) {
    const r = await s.d.request(method, path);
    assert.equal(r.status, 400, `${method} ${path}: ${r.status} ${r.body}`);
  }
  await stillServing('bad filters');
});
