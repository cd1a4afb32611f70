import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../errdefs/index.js';
import { atoi, goBool, parseFilters } from './query.js';

const refused = (f: () => unknown, message: string) =>
  assert.throws(f, (e: unknown) => isInvalidParameter(e) && (e as Error).message === message);

test("atoi takes what Go's strconv.Atoi takes, and refuses the rest in its words", () => {
  assert.equal(atoi('10'), 10);
  assert.equal(atoi('-3'), -3);
  assert.equal(atoi('+7'), 7);
  assert.equal(atoi('007'), 7);
  for (const v of ['abc', '1e3', '0x10', ' 5', '1.0', '', '-']) {
    refused(() => atoi(v), `strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  refused(() => atoi('99999999999999999999'), 'strconv.Atoi: parsing "99999999999999999999": value out of range');
});

test("goBool is moby's BoolValue: only a few spellings are false", () => {
  for (const v of ['', '0', 'no', 'FALSE', ' none ']) assert.equal(goBool(v), false, v);
  for (const v of ['1', 'true', 'yes', 'on', 'anything']) assert.equal(goBool(v), true, v);
});

test('parseFilters takes both of moby’s shapes and refuses anything else', () => {
  assert.deepEqual(parseFilters('{"label":{"a=b":true,"c":false},"name":["x","y"]}'), {
    label: ['a=b'],
    name: ['x', 'y'],
  });
  refused(() => parseFilters('{"label":[1]}'), 'invalid filter: label: [1]');
  refused(() => parseFilters('{"name":"x"}'), 'invalid filter: name: "x"');
  refused(() => parseFilters('["label"]'), 'invalid filter: ["label"]');
  assert.throws(
    () => parseFilters('{"until":'),
    (e: unknown) => isInvalidParameter(e),
  );
});
