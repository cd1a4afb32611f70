// .dockerignore reading and matching, on cases ported from docker's dockerignore and moby/patternmatcher tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { ignoreMatcher, parseDockerignore } from './dockerignore.js';
import { compileGoPattern } from './glob.js';

describe('parseDockerignore', () => {
  it('drops comments and blanks, trims, cleans and strips a leading slash (ReadAll)', () => {
    const text = '\uFEFFtest1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! \n';
    assert.deepEqual(parseDockerignore(text), [
      'test1',
      'test2',
      'a/file/here',
      'lastfile',
      '!inverted/abs/path',
      '!',
      '!',
    ]);
    assert.deepEqual(parseDockerignore('a/./b/../c/\r\n  # not a comment\n'), ['a/c', '# not a comment']);
  });
});

describe('ignoreMatcher (patternmatcher semantics)', () => {
  const cases: [string, string, boolean][] = [
    ['**', 'file', true],
    ['**', 'file/', true],
    ['**/', 'file', true],
    ['**/', 'file/', true],
    ['**', '/', true],
    ['**/', '/', true],
    ['**', 'dir/file', true],
    ['**/', 'dir/file', true],
    ['**', 'dir/file/', true],
    ['**/**', 'dir/file', true],
    ['dir/**', 'dir/file', true],
    ['dir/**', 'dir/dir2/file', true],
    ['**/dir', 'dir', true],
    ['**/dir', 'dir/file', true],
    ['**/dir2/*', 'dir/dir2/file', true],
    ['**/dir2/**', 'dir/dir2/dir3/file', true],
    ['**file', 'file', true],
    ['**file', 'dir/file', true],
    ['**/file', 'dir/file', true],
    ['**file', 'dir/dir/file', true],
    ['**/file', 'dir/dir/file', true],
    ['**/file*', 'dir/dir/file', true],
    ['**/file*', 'dir/dir/file.txt', true],
    ['**/file*txt', 'dir/dir/file.txt', true],
    ['**/file*.txt', 'dir/dir/file.txt', true],
    ['**/file*.txt*', 'dir/dir/file.txt', true],
    ['**/**/*.txt', 'dir/dir/file.txt', true],
    ['**/**/*.txt2', 'dir/dir/file.txt', false],
    ['**/*.txt', 'file.txt', true],
    ['**/**/*.txt', 'file.txt', true],
    ['a**/*.txt', 'a/file.txt', true],
    ['a**/*.txt', 'a/dir/file.txt', true],
    ['a**/*.txt', 'a/dir/dir/file.txt', true],
    ['a/*.txt', 'a/dir/file.txt', false],
    ['a/*.txt', 'a/file.txt', true],
    ['a/*.txt**', 'a/file.txt', true],
    ['a[b-d]e', 'ae', false],
    ['a[b-d]e', 'ace', true],
    ['a[b-d]e', 'aae', false],
    ['a[^b-d]e', 'aze', true],
    ['.*', '.foo', true],
    ['.*', 'foo', false],
    ['abc.def', 'abcdef', false],
    ['abc.def', 'abc.def', true],
    ['abc.def', 'abcZdef', false],
    ['abc?def', 'abcZdef', true],
    ['abc?def', 'abcdef', false],
    ['a\\\\', 'a\\', true],
    ['**/foo/bar', 'foo/bar', true],
    ['**/foo/bar', 'dir/foo/bar', true],
    ['**/foo/bar', 'dir/dir2/foo/bar', true],
    ['abc/**', 'abc', false],
    ['abc/**', 'abc/def', true],
    ['abc/**', 'abc/def/ghi', true],
    ['**/.foo', '.foo', true],
    ['**/.foo', 'bar.foo', false],
    ['a(b)c/def', 'a(b)c/def', true],
    ['a(b)c/def', 'a(b)c/xyz', false],
    ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
    ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
    // A pattern naming a directory excludes what is inside it.
    ['docs', 'docs/sub/file', true],
    ['docs/*', 'docs/sub/file', true],
    ['*', 'a/b/c', true],
    ['*.go', 'a/b.go', false],
  ];
  for (const [pattern, path, want] of cases) {
    it(`${JSON.stringify(pattern)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(path)}`, () => {
      assert.equal(ignoreMatcher([pattern]).matches(path), want);
    });
  }

  it('applies exceptions in order: a later pattern wins', () => {
    const m = ignoreMatcher(['*', '!file.go', '!docs', 'docs/secret*']);
    assert.equal(m.matches('file.go'), false);
    assert.equal(m.matches('other'), true);
    assert.equal(m.matches('docs/readme'), false);
    assert.equal(m.matches('docs/secret.txt'), true);
    const d = ignoreMatcher(['docs', '!docs/README.md']);
    assert.equal(d.matches('docs/README.md'), false);
    assert.equal(d.matches('docs/other'), true);
    assert.equal(d.matches('docs'), true);
  });

  it('refuses a bare "!" and malformed patterns', () => {
    assert.throws(
      () => ignoreMatcher(['!']),
      (e) => isInvalidParameter(e) && /illegal exclusion pattern/.test(e.message),
    );
    for (const bad of ['[', 'a[]', '[-]', 'a\\']) {
      assert.throws(
        () => ignoreMatcher([bad]),
        (e) => isInvalidParameter(e) && e.message === 'syntax error in pattern',
      );
    }
  });
});

describe('Go filepath.Match patterns', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[z-a]', 'x', false],
  ];
  for (const [pattern, s, want] of cases) {
    it(`${JSON.stringify(pattern)} vs ${JSON.stringify(s)}`, () =>
      assert.equal(compileGoPattern(pattern).test(s), want));
  }
  for (const bad of ['[]a]', '[-]', '[x-]', '[\\', '[^', '[^bc', 'a[', '*x\\']) {
    it(`${JSON.stringify(bad)} is a syntax error`, () =>
      assert.throws(() => compileGoPattern(bad), isInvalidParameter));
  }
});
