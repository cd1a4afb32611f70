import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../errdefs/index.js';
import { parseQuery, parseRequestTarget } from './target.js';

const refused = (raw: string, message: RegExp) =>
  assert.throws(
    () => parseRequestTarget(raw),
    (e: unknown) => isInvalidParameter(e) && message.test((e as Error).message),
    raw,
  );

test('origin-form targets: the path decoded as Go decodes URL.Path, the query as url.ParseQuery', () => {
  const t = parseRequestTarget('/v1.47/containers/a%20b/json?all=1&filters=%7B%22a%22%3A1%7D&x=a+b#frag');
  assert.equal(t.path, '/v1.47/containers/a b/json');
  assert.equal(t.query.get('all'), '1');
  assert.equal(t.query.get('filters'), '{"a":1}');
  assert.equal(t.query.get('x'), 'a b');
  assert.equal(parseRequestTarget('/images/a%2Fb/json').path, '/images/a/b/json');
  assert.deepEqual(
    [...parseQuery('changes=A&changes=B&flag').entries()],
    [
      ['changes', 'A'],
      ['changes', 'B'],
      ['flag', ''],
    ],
  );
});

test('absolute-form targets are served by their path when the authority is sound', () => {
  assert.equal(parseRequestTarget('http://berth/_ping').path, '/_ping');
  assert.equal(parseRequestTarget('http://[::1]:2375/_ping?x=1').query.get('x'), '1');
  assert.equal(parseRequestTarget('http://host').path, '/');
  assert.equal(parseRequestTarget('http://host?all=1').query.get('all'), '1');
});

test('targets a URL parser chokes on are InvalidParameter, never an exception of another kind', () => {
  for (const raw of ['//', '//host/_ping', 'http://[/_ping', 'http://a:99999/_ping', 'http://a]/x', '*', 'ping', '']) {
    refused(raw, /^malformed request target /);
  }
});

test('a malformed escape is refused with Go\'s "invalid URL escape"; bytes that are not UTF-8 are not', () => {
  refused('/containers/%zz/json', /^invalid URL escape "%zz"$/);
  refused('/images/%E0%A4%A/json', /^invalid URL escape "%A\/"$/);
  refused('/containers/json?filters=%', /^invalid URL escape "%"$/);
  refused('/x?a=%4', /^invalid URL escape "%4"$/);
  assert.equal(parseRequestTarget('/images/%E0%A4/json').path, '/images/\uFFFD/json');
});
