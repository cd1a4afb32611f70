import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goSyntaxError } from './syntax.js';

function errorFor(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return goSyntaxError(text, e as Error);
  }
  throw new Error(`${text} parsed`);
}

test("JSON syntax errors in Go's words", () => {
  // dockerd's answer to a body cut short.
  assert.equal(errorFor('{"Image": "busybox", '), 'unexpected EOF');
  assert.equal(errorFor('{"Image": "busy'), 'unexpected EOF');
  assert.equal(errorFor('{"Image":'), 'unexpected EOF');
  assert.equal(errorFor('x'), "invalid character 'x' looking for beginning of value");
  assert.equal(errorFor('{a:1}'), "invalid character 'a' looking for beginning of object key string");
  assert.equal(errorFor('{"a" 1}'), "invalid character '1' after object key");
  assert.equal(errorFor('{"a":1 "b":2}'), `invalid character '"' after object key:value pair`);
  assert.equal(errorFor('[1 2]'), "invalid character '2' after array element");
  assert.equal(errorFor('{"a":"x\ny"}'), "invalid character '\\n' in string literal");
  assert.equal(errorFor('{"a":1} x'), "invalid character 'x' after top-level value");
  assert.equal(errorFor("{'a':1}"), "invalid character '\\'' looking for beginning of object key string");
});
