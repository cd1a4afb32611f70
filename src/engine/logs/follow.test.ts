import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type ReadLogsOptions, readLogs } from './read.js';
import { jsonLine, Puller, ShimLog, T0, tempLogPath } from './shim-log.fixture.js';

const FOLLOW = { stdout: true, stderr: true, follow: true, maxFiles: 3 } as const;

/** A follower of `path` whose close() (registered to run after the test) aborts it. */
function follow(
  t: { after(fn: () => Promise<void>): void },
  path: string,
  opts: Partial<ReadLogsOptions> = {},
  done?: Promise<unknown>,
): Puller {
  const controller = new AbortController();
  const p = new Puller(readLogs(path, { ...FOLLOW, signal: controller.signal, ...opts }, done), controller);
  t.after(() => p.close());
  return p;
}

/**
 * What a finished reader must not leave behind: ref'd timers, open descriptors and inotify watches (an fs.watch made
 * with persistent: false is not among the active resources, so its watch is counted in /proc instead).
 */
function leftovers(): { timers: number; fds: number; watches: number } {
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  if (!existsSync('/proc/self/fdinfo')) return { timers, fds: 0, watches: 0 };
  const fds = readdirSync('/proc/self/fd');
  let watches = 0;
  for (const fd of fds) {
    try {
      watches += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      // the descriptor of the directory listing itself, gone by now
    }
  }
  return { timers, fds: fds.length, watches };
}

test('follow gives the existing entries, then entries as they are appended', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 3);
  log.write('stdout', 'a\n');
  log.write('stderr', 'b\n');
  const p = follow(t, path, {});
  assert.deepEqual(await p.take(2), ['a\n', 'b\n']);
  log.write('stdout', 'c\n');
  assert.deepEqual(await p.take(1), ['c\n']);
  log.write('stdout', 'd\n');
  log.write('stderr', 'e\n');
  assert.deepEqual(await p.take(2), ['d\n', 'e\n']);
});

test('follow with tail 0 gives only what is appended afterwards', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'old\n');
  const p = follow(t, path, { tail: 0 });
  const first = p.next();
  // A line written before the reader has opened the file is an old one: write new ones until one comes through.
  const deadline = Date.now() + 5000;
  for (let i = 0; Date.now() < deadline; i++) {
    log.write('stdout', `new ${i}\n`);
    if (await Promise.race([first.then(() => true), delay(50).then(() => false)])) break;
  }
  assert.match((await first)?.line.toString() ?? '', /^new \d+\n$/);
});

test('follow waits for a torn line to be completed, then gives it whole', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'a\n');
  const line = jsonLine('stdout', 'written in two parts\n', T0 + 5000n);
  log.raw(line.slice(0, 25));
  const p = follow(t, path, { tail: 5 });
  assert.deepEqual(await p.take(1), ['a\n']);
  const next = p.next();
  await delay(300); // long enough for the reader to have seen the half line at least once (it polls every 150 ms)
  log.raw(line.slice(25));
  assert.equal((await next)?.line.toString(), 'written in two parts\n');
});

test('follow carries on into the new file after a rotation made as the shim makes it', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 3);
  log.write('stdout', 'a\n');
  const p = follow(t, path, {});
  assert.deepEqual(await p.take(1), ['a\n']);
  const waiting = p.next(); // the reader is now at the end of the file, waiting
  log.write('stdout', 'b\n');
  log.rotate();
  log.write('stdout', 'c\n');
  assert.equal((await waiting)?.line.toString(), 'b\n');
  assert.deepEqual(await p.take(1), ['c\n']);
  log.rotate();
  log.rotate(); // an empty file rotated away
  log.write('stderr', 'd\n');
  assert.deepEqual(await p.take(1), ['d\n']);
});

test('follow catches up with several rotations made while it was not reading', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 4);
  log.write('stdout', 'a\n');
  log.write('stdout', 'b\n');
  const p = follow(t, path, { maxFiles: 4 });
  assert.deepEqual(await p.take(1), ['a\n']); // the reader holds the first file open, suspended after "a"
  log.write('stdout', 'c\n');
  log.rotate();
  log.write('stdout', 'd\n');
  log.rotate();
  log.write('stdout', 'e\n');
  log.rotate();
  log.write('stdout', 'f\n');
  assert.deepEqual(await p.take(5), ['b\n', 'c\n', 'd\n', 'e\n', 'f\n']);
});

test('follow keeps up with a writer rotating often, losing and repeating nothing', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 5);
  const p = follow(t, path, { maxFiles: 5 });
  const expected: string[] = [];
  const got: string[] = [];
  const writer = (async () => {
    for (let i = 0; i < 300; i++) {
      if (i > 0 && i % 7 === 0) {
        // A reader more than maxFiles-1 rotations behind has lost entries, in Docker too; keep it within two.
        const deadline = Date.now() + 10_000;
        while (got.length < i - 7 && Date.now() < deadline) await delay(5);
        log.rotate();
      }
      log.write(i % 3 ? 'stdout' : 'stderr', `line ${i}\n`);
      expected.push(`line ${i}\n`);
      if (i % 5 === 0) await delay(1);
    }
  })();
  while (got.length < 300) got.push(...(await p.take(1, 10_000)));
  await writer;
  assert.deepEqual(got, expected);
});

test('follow starts again from the top when the file is truncated (max-file 1)', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 1);
  log.write('stdout', 'a fairly long first line\n');
  log.write('stdout', 'another fairly long line\n');
  const p = follow(t, path, { maxFiles: 1 });
  assert.deepEqual(await p.take(2), ['a fairly long first line\n', 'another fairly long line\n']);
  const waiting = p.next();
  log.rotate(); // truncates
  log.write('stdout', 'x\n');
  assert.equal((await waiting)?.line.toString(), 'x\n');
  log.write('stdout', 'y\n');
  assert.deepEqual(await p.take(1), ['y\n']);
});

test('follow ends when done resolves, after giving what was written before', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 3);
  log.write('stdout', 'a\n');
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const p = follow(t, path, {}, done);
  assert.deepEqual(await p.take(1), ['a\n']);
  log.write('stdout', 'b\n');
  log.rotate();
  log.write('stdout', 'c\n');
  log.raw(jsonLine('stdout', 'torn', T0).slice(0, 10)); // never completed: the shim died mid-write
  finish();
  assert.deepEqual(await p.take(2), ['b\n', 'c\n']);
  await p.end();
});

test('follow ends when done rejects, and when done settled before iteration began', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'a\n');
  const p = follow(t, path, {}, Promise.reject(new Error('container gone')));
  assert.deepEqual(await p.take(1), ['a\n']);
  await p.end();
  const q = follow(t, path, {}, Promise.resolve());
  assert.deepEqual(await q.take(1), ['a\n']);
  await q.end();
});

test('follow ends when the signal aborts while it waits', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'a\n');
  const controller = new AbortController();
  const p = follow(t, path, { signal: controller.signal });
  assert.deepEqual(await p.take(1), ['a\n']);
  const waiting = p.next();
  await delay(50);
  controller.abort();
  assert.equal(await waiting, undefined);
});

test('follow waits for the log file to be created', async (t) => {
  const path = tempLogPath(t);
  const p = follow(t, path, {});
  const first = p.next();
  await delay(50);
  const log = new ShimLog(path);
  log.write('stdout', 'hello\n');
  assert.equal((await first)?.line.toString(), 'hello\n');
});

test('follow picks up the new file when it started mid-rotation (path missing)', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 3);
  log.write('stdout', 'a\n');
  renameSync(path, `${path}.1`); // the rotation's rename, before the shim creates the new file
  const p = follow(t, path, {});
  assert.deepEqual(await p.take(1), ['a\n']);
  const next = p.next();
  writeFileSync(path, '');
  log.write('stdout', 'b\n');
  assert.equal((await next)?.line.toString(), 'b\n');
});

test('follow stops at the first entry after until', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'a\n');
  const until = BigInt(Date.now() + 60_000) * 1_000_000n;
  const p = follow(t, path, { until });
  assert.deepEqual(await p.take(1), ['a\n']);
  log.raw(jsonLine('stdout', 'too late\n', until + 1n));
  await p.end();
});

test('follow with until already past reads what is there and ends', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'a\n');
  const p = follow(t, path, { until: BigInt(Date.now()) * 1_000_000n });
  assert.deepEqual(await p.take(1), ['a\n']);
  await p.end();
});

test('a finished follow leaves no timer, watcher or open file behind', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 3);
  log.write('stdout', 'a\n');
  log.rotate();
  log.write('stdout', 'b\n');
  const breakAtB = async () => {
    for await (const e of readLogs(path, FOLLOW)) {
      if (e.line.toString() === 'b\n') break;
    }
  };
  await breakAtB(); // the first watch creates the event loop's inotify descriptor, which stays
  const before = leftovers();
  await breakAtB();
  assert.deepEqual(leftovers(), before, 'after breaking out of the loop');
  const controller = new AbortController();
  const p = new Puller(readLogs(path, { ...FOLLOW, signal: controller.signal }));
  await p.take(2);
  const waiting = p.next();
  await delay(20);
  assert.equal(leftovers().watches, before.watches + 1, 'the follower watches the directory');
  controller.abort();
  assert.equal(await waiting, undefined);
  assert.deepEqual(leftovers(), before, 'after an abort');
});
