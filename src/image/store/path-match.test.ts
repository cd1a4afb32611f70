import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { pathMatch } from './path-match.js';

test("Go path.Match semantics: '*' and '?' stop at '/', classes, ranges, escapes", () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['*', 'user/app', false],
    ['*/*', 'user/app', true],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['a[b-d]c', 'acc', true],
    ['a[^b-d]c', 'acc', false],
    ['a[^b-d]c', 'axc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['busybox:*', 'busybox:1.36', true],
    ['a.c', 'abc', false],
  ];
  for (const [pattern, name, want] of cases) assert.equal(pathMatch(pattern, name), want, `${pattern} ~ ${name}`);
});

test('malformed patterns are ErrBadPattern', () => {
  for (const bad of ['[', 'a[', '[]', 'a\\', '[-a]', '[a-]']) {
    assert.throws(
      () => pathMatch(bad, 'a'),
      (e) => isInvalidParameter(e) && e.message === 'syntax error in pattern',
      bad,
    );
  }
});
