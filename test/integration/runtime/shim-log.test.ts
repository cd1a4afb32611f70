// The shim's json-file log: Docker's line format, stdout and stderr apart, partial lines, rotation by size.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RuntimeHarness } from './harness.js';

let h: RuntimeHarness;
before(async () => {
  h = await RuntimeHarness.create();
});
after(async () => {
  await h.cleanup();
});

interface LogLine {
  log: string;
  stream: string;
  time: string;
}
const parse = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine);

describe('json-file log', () => {
  test('lines carry the stream, Docker-escaped text and an RFC 3339 nanosecond time', async () => {
    const rt = await h.runtime();
    const b = await h.bundle({
      args: ['sh', '-c', 'echo "out \\"q\\" <b>"; echo err >&2; printf "tab\\there"; exit 0'],
    });
    const log = join(b.dir, 'c.log');
    await rt.create('log1', b.dir, { stdio: { log: { path: log, maxSize: 0, maxFiles: 1 } } });
    await rt.start('log1');
    assert.equal((await rt.wait('log1'))?.exitCode, 0);
    const raw = await readFile(log, 'utf8');
    const lines = parse(raw);
    const byStream = (s: string) => lines.filter((l) => l.stream === s).map((l) => l.log);
    assert.deepEqual(byStream('stdout'), ['out "q" <b>\n', 'tab\there']);
    assert.deepEqual(byStream('stderr'), ['err\n']);
    assert.ok(raw.includes('\\u003cb\\u003e'), 'escapes < and > as Go does');
    for (const l of lines) assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    await rt.delete('log1');
  });

  test('rotation keeps max-file files of at most max-size bytes', async () => {
    const rt = await h.runtime();
    const b = await h.bundle({ args: ['sh', '-c', 'i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done'] });
    const log = join(b.dir, 'r.log');
    await rt.create('log2', b.dir, { stdio: { log: { path: log, maxSize: 2048, maxFiles: 3 } } });
    await rt.start('log2');
    await rt.wait('log2');
    const files = (await readdir(b.dir)).filter((f) => f.startsWith('r.log')).sort();
    assert.deepEqual(files, ['r.log', 'r.log.1', 'r.log.2']);
    const lines: LogLine[] = [];
    for (const f of ['r.log.2', 'r.log.1', 'r.log']) {
      const text = await readFile(join(b.dir, f), 'utf8');
      assert.ok(text.length <= 2048, `${f} has ${text.length} bytes`);
      lines.push(...parse(text));
    }
    // The newest lines survive, in order, ending with the last one.
    const nums = lines.map((l) => Number(/line (\d+)/.exec(l.log)?.[1]));
    assert.equal(nums.at(-1), 199);
    assert.deepEqual(
      nums,
      [...nums].sort((a, b) => a - b),
    );
    await rt.delete('log2');
  });
});
