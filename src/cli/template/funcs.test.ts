import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTemplate } from './template.js';

const run = (text: string, data?: unknown): string => parseTemplate(text).execute(data);
const error = (text: string, data?: unknown): string => {
  try {
    run(text, data);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('executed');
};

// Expected strings are what docker 28.2.2 (Go 1.24) produced for the same templates.
describe("Go's builtins", () => {
  it('len, index and slice count bytes of strings', () => {
    assert.equal(run('{{index "abc" 1}}|{{slice "abcdef" 1 3}}|{{len "héllo"}}|{{len ""}}'), '98|bc|6|0');
    assert.equal(
      run('{{slice (split "a,b,c" ",") 1}}|{{index (split "a,b,c" ",") 2}}|{{len (split "a,b" ",")}}'),
      '[b c]|c|2',
    );
    assert.equal(run('{{len .}}', { a: 1, b: 2 }), '2');
  });

  it('len, index and slice errors', () => {
    assert.equal(error('{{len 3}}'), 'template: :1:2: executing "" at <len 3>: error calling len: len of type int');
    assert.equal(
      error('{{len nil}}'),
      'template: :1:2: executing "" at <len nil>: error calling len: reflect: call of reflect.Value.Type on zero Value',
    );
    assert.equal(
      error('{{index 1 2}}'),
      'template: :1:2: executing "" at <index 1 2>: error calling index: can\'t index item of type int',
    );
    assert.equal(
      error('{{index nil 1}}'),
      'template: :1:2: executing "" at <index nil 1>: error calling index: index of untyped nil',
    );
    assert.equal(
      error('{{index "abc" 5}}'),
      'template: :1:2: executing "" at <index "abc" 5>: error calling index: index out of range: 5',
    );
    assert.equal(
      error('{{index "abc" -1}}'),
      'template: :1:2: executing "" at <index "abc" -1>: error calling index: index out of range: -1',
    );
    assert.equal(
      error('{{index .E "nope" "x"}}', { E: { docker: { Host: 'x' } } }),
      'template: :1:2: executing "" at <index .E "nope" "x">: error calling index: index of nil pointer',
    );
    assert.equal(
      error('{{len .E.nope}}', { E: {} }),
      'template: :1:2: executing "" at <len .E.nope>: error calling len: reflect: call of reflect.Value.Type on zero Value',
    );
    assert.equal(
      error('{{slice "abc" 2 1}}'),
      'template: :1:2: executing "" at <slice "abc" 2 1>: error calling slice: invalid slice index: 2 > 1',
    );
    assert.equal(
      error('{{slice "abc" 1 2 3}}'),
      'template: :1:2: executing "" at <slice "abc" 1 2 3>: error calling slice: cannot 3-index slice a string',
    );
  });

  it('comparisons', () => {
    assert.equal(
      run('{{eq nil nil}}|{{ne 1 2}}|{{le 2 2}}|{{ge 1 2}}|{{gt "b" "a"}}|{{lt 1.5 2.5}}'),
      'true|true|true|false|true|true',
    );
    assert.equal(run('{{eq .Name "x" "default"}}|{{eq .Missing "x"}}', { Name: 'default' }), 'true|false');
    assert.equal(
      error('{{eq 1 "a"}}'),
      'template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison',
    );
    assert.equal(
      error('{{lt 1 "a"}}'),
      'template: :1:2: executing "" at <lt 1 "a">: error calling lt: incompatible types for comparison',
    );
    assert.equal(
      error('{{lt true false}}'),
      'template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison',
    );
    assert.equal(
      error('{{eq 1}}'),
      'template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison',
    );
  });

  it('argument counts', () => {
    assert.equal(error('{{not}}'), 'template: :1:2: executing "" at <not>: wrong number of args for not: want 1 got 0');
    assert.equal(
      error('{{and}}'),
      'template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0',
    );
  });

  it('print, printf, println', () => {
    assert.equal(run('{{print 1 2 "a" 3 "b" "c" 4.5 true false}}'), '1 2a3bc4.5 true false');
    assert.equal(run('{{println 1 "a" 2}}'), '1 a 2\n');
    assert.equal(run('{{printf "%-10s|" .Name}}', { Name: 'default' }), 'default   |');
    assert.equal(run('{{html nil}}|{{print nil}}|{{print .Missing}}', {}), '&lt;no value&gt;|<nil>|<nil>');
    assert.equal(
      run('{{printf "%s|%v" .E.nope .E.nope}}|{{.E.nope | printf "%v"}}', { E: {} }),
      '%!s(<nil>)|<nil>|<nil>',
    );
    assert.equal(error('{{printf 3}}'), 'template: :1:9: executing "" at <3>: expected string; found 3');
  });

  it('html, js and urlquery escaping', () => {
    assert.equal(run(`{{html "<a href=\\"x\\">&'"}}`), '&lt;a href=&#34;x&#34;&gt;&amp;&#39;');
    assert.equal(run(`{{js "<a b='c'>\\\\=&é\\u0001"}}`), "\\u003Ca b\\u003D\\'c\\'\\u003E\\\\\\u003D\\u0026é\\u0001");
    assert.equal(run('{{urlquery "a b&c=d/é"}}'), 'a+b%26c%3Dd%2F%C3%A9');
    assert.equal(run('{{html .}}', true), 'true');
  });
});

describe("docker's functions", () => {
  it('split, join, title, lower, upper, pad, truncate', () => {
    assert.equal(
      run(
        '{{split "a,b,c" ","}}|{{join (split "a,b,c" ",") "-"}}|{{title "hello wORLD foo-bar"}}|{{lower "ABC"}}|{{upper "abc"}}|{{pad "x" 2 3}}|{{pad "" 2 3}}|{{truncate "abcdef" 3}}|{{truncate "ab" 3}}',
      ),
      '[a b c]|a-b-c|Hello WORLD Foo-Bar|abc|ABC|  x   ||abc|ab',
    );
    assert.equal(run(`{{title "it's a_b c.d éa 1x"}}`), "It'S A_b C.D Éa 1x");
    assert.equal(run('{{range $k, $v := split "a,b,c" ","}}{{$k}}={{$v}},{{end}}'), '0=a,1=b,2=c,');
  });

  it('truncate never splits a character (docker would cut inside é)', () => {
    assert.equal(run('{{truncate "héllo" 2}}|{{truncate "héllo" 3}}'), 'h|hé');
  });

  it('json writes Go JSON without HTML escaping', () => {
    assert.equal(
      run('{{json "a<b>&c"}}|{{json 1.5}}|{{json (split "a,b" ",")}}|{{json nil}}'),
      '"a<b>&c"|1.5|["a","b"]|null',
    );
    assert.equal(
      run('{{json .Labels}}', { Labels: { 'com.example': 'x', a: '<1>' } }),
      '{"com.example":"x","a":"<1>"}',
    );
    assert.equal(run(`{{json "a\\b\\f\\n\\t\\u0001\\u2028é\\"\\\\"}}`), '"a\\b\\f\\n\\t\\u0001\\u2028é\\"\\\\"');
  });

  it('checks argument types as Go does', () => {
    assert.equal(error('{{upper 3}}'), 'template: :1:8: executing "" at <3>: expected string; found 3');
    assert.equal(
      error('{{join "a" ","}}'),
      'template: :1:7: executing "" at <"a">: can\'t handle "a" for arg of type []string',
    );
    assert.equal(error('{{pad "x" "a" 1}}'), 'template: :1:10: executing "" at <"a">: expected integer; found "a"');
    assert.equal(
      error('{{upper .Current}}', { Current: true }),
      'template: :1:8: executing "" at <.Current>: wrong type for value; expected string; got bool',
    );
    assert.equal(
      error('{{upper .Missing}}', {}),
      'template: :1:8: executing "" at <.Missing>: invalid value; expected string',
    );
  });
});
