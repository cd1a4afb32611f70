import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { test } from 'node:test';
import { readLogs } from './read.js';
import { collect, formatTime, jsonLine, PIECE, ShimLog, T0, tempLogPath, texts } from './shim-log.fixture.js';

const ALL = { stdout: true, stderr: true, maxFiles: 3 } as const;

/** Three files of three entries each ("l0".."l8"), as three rotations with maxFiles 3 leave them. */
function rotatedSet(path: string): ShimLog {
  const log = new ShimLog(path, 3);
  for (let i = 0; i < 9; i++) {
    if (i > 0 && i % 3 === 0) log.rotate();
    log.write('stdout', `l${i}\n`);
  }
  return log;
}

test('reads every entry of the rotated files, oldest first, with their streams and times', async (t) => {
  const path = tempLogPath(t);
  rotatedSet(path);
  const entries = await collect(readLogs(path, ALL));
  assert.deepEqual(texts(entries), ['l0\n', 'l1\n', 'l2\n', 'l3\n', 'l4\n', 'l5\n', 'l6\n', 'l7\n', 'l8\n']);
  assert.equal(entries[0]!.stream, 'stdout');
  assert.equal(entries[0]!.timeNs, T0);
  assert.equal(entries[0]!.time, '2023-11-14T22:13:20Z');
  assert.equal(entries[1]!.time, '2023-11-14T22:13:20.000001Z');
  assert.equal(entries[1]!.timeNs, T0 + 1000n);
});

test('reads only the files maxFiles allows', async (t) => {
  const path = tempLogPath(t);
  rotatedSet(path);
  assert.deepEqual(texts(await collect(readLogs(path, { ...ALL, maxFiles: 2 }))), [
    'l3\n',
    'l4\n',
    'l5\n',
    'l6\n',
    'l7\n',
    'l8\n',
  ]);
});

test('tail counts entries back across rotated files', async (t) => {
  const path = tempLogPath(t);
  rotatedSet(path);
  const tail = async (n: number) => texts(await collect(readLogs(path, { ...ALL, tail: n })));
  assert.deepEqual(await tail(2), ['l7\n', 'l8\n']);
  assert.deepEqual(await tail(3), ['l6\n', 'l7\n', 'l8\n']);
  assert.deepEqual(await tail(5), ['l4\n', 'l5\n', 'l6\n', 'l7\n', 'l8\n']);
  assert.deepEqual(await tail(7), ['l2\n', 'l3\n', 'l4\n', 'l5\n', 'l6\n', 'l7\n', 'l8\n']);
  assert.equal((await tail(9)).length, 9);
  assert.equal((await tail(100)).length, 9);
  assert.deepEqual(await tail(0), []);
  assert.equal((await tail(-1)).length, 9, 'a negative tail means all, as Docker\'s "all" (-1)');
});

test('tail over a file larger than the read-back chunk', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  for (let i = 0; i < 5000; i++) log.write(i % 2 ? 'stderr' : 'stdout', `line ${i} ${'x'.repeat(i % 50)}\n`);
  const entries = await collect(readLogs(path, { ...ALL, tail: 1234 }));
  assert.equal(entries.length, 1234);
  assert.equal(entries[0]!.line.toString(), `line 3766 ${'x'.repeat(3766 % 50)}\n`);
  assert.equal(entries.at(-1)!.line.toString(), `line 4999 ${'x'.repeat(4999 % 50)}\n`);
});

test('tail counts entries of both streams before the stream filter, as Docker does', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'o1\n');
  log.write('stderr', 'e1\n');
  log.write('stdout', 'o2\n');
  log.write('stderr', 'e2\n');
  const out = await collect(readLogs(path, { ...ALL, stderr: false, tail: 2 }));
  assert.deepEqual(texts(out), ['o2\n']);
});

test('stdout and stderr are filtered independently', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'out\n');
  log.write('stderr', 'err\n');
  log.write('stdout', 'out2\n');
  assert.deepEqual(texts(await collect(readLogs(path, { ...ALL, stderr: false }))), ['out\n', 'out2\n']);
  assert.deepEqual(texts(await collect(readLogs(path, { ...ALL, stdout: false }))), ['err\n']);
  assert.deepEqual(await collect(readLogs(path, { ...ALL, stdout: false, stderr: false })), []);
  const both = await collect(readLogs(path, ALL));
  assert.deepEqual(
    both.map((e) => e.stream),
    ['stdout', 'stderr', 'stdout'],
  );
});

test('since keeps entries at or after it; until ends the read at the first entry after it', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 2);
  for (let i = 0; i < 6; i++) {
    if (i === 3) log.rotate();
    log.write('stdout', `l${i}\n`);
  }
  const at = (i: number) => T0 + BigInt(i) * 1000n;
  const read = async (opts: { since?: bigint; until?: bigint; tail?: number }) =>
    texts(await collect(readLogs(path, { ...ALL, maxFiles: 2, ...opts })));
  assert.deepEqual(await read({ since: at(2) }), ['l2\n', 'l3\n', 'l4\n', 'l5\n']);
  assert.deepEqual(await read({ since: at(2) + 1n }), ['l3\n', 'l4\n', 'l5\n']);
  assert.deepEqual(await read({ until: at(3) }), ['l0\n', 'l1\n', 'l2\n', 'l3\n']);
  assert.deepEqual(await read({ since: at(1), until: at(4) - 1n }), ['l1\n', 'l2\n', 'l3\n']);
  assert.deepEqual(await read({ since: at(1), tail: 2 }), ['l4\n', 'l5\n']);
  assert.deepEqual(await read({ since: at(5), tail: 4 }), ['l5\n']);
  assert.deepEqual(await read({ since: at(9) }), []);
});

test('since stops filtering after the first entry it lets through, as moby (times need not be monotonic)', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.raw(jsonLine('stdout', 'old\n', T0));
  log.raw(jsonLine('stdout', 'new\n', T0 + 10n));
  log.raw(jsonLine('stdout', 'clock went back\n', T0 + 5n));
  const out = await collect(readLogs(path, { ...ALL, since: T0 + 10n }));
  assert.deepEqual(texts(out), ['new\n', 'clock went back\n']);
});

test('a torn last line (still being written) is left out when not following', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'complete\n');
  const torn = jsonLine('stdout', 'half-written\n', T0 + 5000n);
  log.raw(torn.slice(0, 20));
  assert.deepEqual(texts(await collect(readLogs(path, ALL))), ['complete\n']);
  assert.deepEqual(texts(await collect(readLogs(path, { ...ALL, tail: 1 }))), ['complete\n']);
});

test('a corrupt line is skipped and reading goes on', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  log.write('stdout', 'before\n');
  log.raw('{"log":"trunc\n');
  log.raw('not json at all\n');
  log.raw('{"log":"no stream","time":"2023-11-14T22:13:20Z"}\n');
  log.raw('{"log":"bad time\\n","stream":"stdout","time":"yesterday"}\n');
  log.raw('[1,2,3]\n');
  log.raw('\n');
  log.write('stderr', 'after\n');
  assert.deepEqual(texts(await collect(readLogs(path, ALL))), ['before\n', 'after\n']);
});

test('lines split in 16 KiB pieces come back as the pieces, byte for byte', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  const long = `${'abcdefghij'.repeat(4000)}\n`; // 40001 bytes: pieces of 16384, 16384, 7233
  log.write('stdout', long);
  log.write('stdout', 'short\n');
  const entries = await collect(readLogs(path, ALL));
  assert.deepEqual(
    entries.map((e) => e.line.length),
    [PIECE, PIECE, long.length - 2 * PIECE, 6],
  );
  assert.equal(Buffer.concat(entries.slice(0, 3).map((e) => e.line)).toString(), long);
  assert.ok(!entries[0]!.line.includes(0x0a) && entries[2]!.line.at(-1) === 0x0a);
  assert.deepEqual(texts(await collect(readLogs(path, { ...ALL, tail: 2 }))), [long.slice(2 * PIECE), 'short\n']);
});

test('a final partial line without "\\n" and escaped bytes come back as written', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path);
  // Escapes as the shim writes them: <, >, & and control characters as \u00XX, U+2028, invalid UTF-8 as U+FFFD.
  log.raw(`{"log":"\\u003cb\\u003e \\u0026 \\"q\\" \\\\ \\t\\r\\n","stream":"stderr","time":"${formatTime(T0)}"}\n`);
  log.raw(`{"log":"é \\u2028 \\ufffd","stream":"stdout","time":"${formatTime(T0 + 1n)}"}\n`);
  log.write('stdout', 'no newline at the end');
  const entries = await collect(readLogs(path, ALL));
  assert.deepEqual(texts(entries), ['<b> & "q" \\ \t\r\n', 'é \u2028 \ufffd', 'no newline at the end']);
  assert.deepEqual(entries[1]!.line, Buffer.from([0xc3, 0xa9, 0x20, 0xe2, 0x80, 0xa8, 0x20, 0xef, 0xbf, 0xbd]));
  assert.equal(entries[1]!.timeNs, T0 + 1n);
  assert.equal(entries[1]!.time, '2023-11-14T22:13:20.000000001Z');
});

test('a log that does not exist reads as empty', async (t) => {
  const path = tempLogPath(t);
  assert.deepEqual(await collect(readLogs(`${path}.missing`, { ...ALL, tail: 3 })), []);
});

test('when path is missing mid-rotation, the rotated files are still read', async (t) => {
  const path = tempLogPath(t);
  const log = new ShimLog(path, 3);
  log.write('stdout', 'a\n');
  log.rotate();
  log.write('stdout', 'b\n');
  // The shim's next rotation, stopped before it creates the new file.
  renameSync(`${path}.1`, `${path}.2`);
  renameSync(path, `${path}.1`);
  assert.deepEqual(texts(await collect(readLogs(path, ALL))), ['a\n', 'b\n']);
  assert.deepEqual(texts(await collect(readLogs(path, { ...ALL, tail: 1 }))), ['b\n']);
});

test('an aborted signal ends the read', async (t) => {
  const path = tempLogPath(t);
  rotatedSet(path);
  const controller = new AbortController();
  const seen: string[] = [];
  for await (const e of readLogs(path, { ...ALL, signal: controller.signal })) {
    seen.push(e.line.toString());
    if (seen.length === 4) controller.abort();
  }
  assert.deepEqual(seen, ['l0\n', 'l1\n', 'l2\n', 'l3\n']);
  controller.abort();
  assert.deepEqual(await collect(readLogs(path, { ...ALL, signal: controller.signal })), []);
});
