// The Go forms docker cp's answers are made of.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goBase, goFileMode, goTimeJSON, preserveTrailingDotOrSeparator } from './go-paths.js';

describe("Go's path, mode and time forms", () => {
  it('Base, and moby\'s trailing "/." rule', () => {
    assert.deepEqual(['/etc/passwd', '/etc/', '/etc/.', '/', '', '..', 'a//'].map(goBase), [
      'passwd',
      'etc',
      '.',
      '/',
      '.',
      '..',
      'a',
    ]);
    assert.equal(preserveTrailingDotOrSeparator('/etc', '/etc/.'), '/etc/.');
    assert.equal(preserveTrailingDotOrSeparator('/etc', 'etc/'), '/etc/');
    assert.equal(preserveTrailingDotOrSeparator('/', '/.'), '/.');
    assert.equal(preserveTrailingDotOrSeparator('/etc', '/etc'), '/etc');
  });

  it('os.FileMode bits and time.Time JSON', () => {
    assert.equal(goFileMode({ mode: 0o020620n }), 2 ** 26 + 2 ** 21 + 0o620); // char device
    assert.equal(goFileMode({ mode: 0o060660n }), 2 ** 26 + 0o660); // block device
    assert.equal(goFileMode({ mode: 0o012644n }), 2 ** 25 + 2 ** 22 + 0o644); // setgid fifo
    assert.equal(goFileMode({ mode: 0o100644n }), 0o644);
    assert.equal(goTimeJSON(0n), '1970-01-01T00:00:00Z');
    assert.equal(goTimeJSON(1_600_000_000_123_456_789n), '2020-09-13T12:26:40.123456789Z');
    assert.equal(goTimeJSON(-1n), '1969-12-31T23:59:59.999999999Z');
  });
});
