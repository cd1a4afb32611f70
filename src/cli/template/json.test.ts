import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonString, marshal } from './json.js';

describe('json', () => {
  it('escapes strings as encoding/json with HTML escaping off', () => {
    assert.equal(jsonString('<a>&"\\\n\u0001\u2028\u2029é'), '"<a>&\\"\\\\\\n\\u0001\\u2028\\u2029é"');
  });

  it('keeps the key order of plain objects and sorts Maps', () => {
    assert.equal(marshal({ b: 1, a: [true, null, 'x'], skip: undefined }), '{"b":1,"a":[true,null,"x"]}');
    assert.equal(
      marshal(
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ),
      '{"a":2,"b":1}',
    );
  });

  it('marshals format contexts as docker does: sorted exported zero-argument methods', () => {
    const ctx = {
      Name: () => 'default',
      Current: () => true,
      Label: (_k: string) => '',
      hidden: () => 'no',
    };
    assert.equal(marshal(ctx), '{"Current":true,"Name":"default"}');
    class C {
      Name(): string {
        return 'x';
      }
      MarshalJSON(): string {
        return '{"custom":1}';
      }
    }
    assert.equal(marshal(new C()), '{"custom":1}');
    class Plain {
      Host = 'unix:///x';
      Skip = false;
    }
    assert.equal(marshal(new Plain()), '{"Host":"unix:///x","Skip":false}');
  });

  it('numbers and times as Go writes them; NaN is an error', () => {
    assert.equal(marshal([1, 1.5, 1e21, 1e-7, -0]), '[1,1.5,1e+21,1e-7,-0]');
    assert.equal(marshal(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 670))), '"2024-01-02T03:04:05.67Z"');
    assert.equal(marshal(new Date(Date.UTC(2024, 0, 2, 3, 4, 50))), '"2024-01-02T03:04:50Z"');
    assert.throws(() => marshal(Number.NaN), /unsupported value: NaN/);
  });
});
