import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateError } from './errors.js';
import { type FuncMap, parseTemplate } from './template.js';

const run = (text: string, data?: unknown, funcs?: FuncMap): string => parseTemplate(text, '', funcs).execute(data);
const failure = (text: string, data?: unknown): TemplateError => {
  try {
    run(text, data);
  } catch (e) {
    assert.ok(e instanceof TemplateError, String(e));
    return e;
  }
  throw new Error('executed');
};
const fails = (text: string, data: unknown, message: string): void =>
  assert.equal(failure(text, data).message, message);

/** A docker-style format context: fields are methods, called with `this` bound. */
class ClientContext {
  get [Symbol.toStringTag](): string {
    return '*formatter.clientContextContext';
  }
  constructor(private readonly labels: Record<string, string> = {}) {}
  Name(): string {
    return 'default';
  }
  Current(): boolean {
    return true;
  }
  Label(name: string): string {
    return this.labels[name] ?? '';
  }
}

describe('fields, maps and methods', () => {
  const data = {
    Name: 'web',
    Config: { Labels: { 'com.example': 'yes', a: '1' }, Env: ['A=1', 'B=2'] },
    State: { Health: null, Running: true },
    Ports: [],
  };

  it('walks fields of nested objects, . and $', () => {
    assert.equal(run('{{.Name}} {{.Config.Env}} {{.State.Running}}', data), 'web [A=1 B=2] true');
    assert.equal(run('{{with .Config}}{{$.Name}}:{{len .Env}}{{end}}', data), 'web:2');
  });

  it('a missing map key is <no value>, also further down the chain', () => {
    assert.equal(run('{{.Config.Labels.missing}}|{{.Config.Labels.missing.deeper}}', data), '<no value>|<no value>');
    assert.equal(run('{{.Nope}}', data), '<no value>');
  });

  it('index reads a map key; a missing string entry is "", a missing interface entry <no value>', () => {
    assert.equal(run('{{index .Config.Labels "com.example"}}|{{index .Config.Labels "x"}}|', data), 'yes||');
    assert.equal(run('{{index . "x"}}', { a: { b: 1 }, c: 2 }), '<no value>');
    assert.equal(run('{{index .Config.Env 1}}|{{index .Config.Env 0 1}}', data), 'B=2|61');
  });

  it('null is nil: printed <nil>, a field of it is an error', () => {
    assert.equal(run('{{.State.Health}}', data), '<nil>');
    fails(
      '{{.State.Health.Status}}',
      data,
      'template: :1:8: executing "" at <.State.Health.Status>: nil pointer evaluating interface {}.Status',
    );
  });

  it('calls methods with arguments, bound to their object', () => {
    const ctx = new ClientContext({ 'com.example': 'blue' });
    assert.equal(
      run('{{.Name}} {{.Label "com.example"}} {{"com.example" | .Label}} {{.Current}}', ctx),
      'default blue blue true',
    );
    assert.equal(run('{{if .Current}}*{{end}}', ctx), '*');
  });

  it('plain objects with function properties are contexts too', () => {
    const ctx = {
      ID(): string {
        return 'abc';
      },
      Label(this: { labels: Record<string, string> }, k: string): string {
        return this.labels[k] ?? '';
      },
      labels: { x: 'y' },
    };
    assert.equal(run('{{.ID}}/{{.Label "x"}}', ctx), 'abc/y');
    fails('{{.Nope}}', ctx, 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type struct');
  });

  // Messages as docker 28.2.2 prints them for `docker context ls --format`.
  it('reports field errors with Go positions and contexts', () => {
    const ctx = new ClientContext();
    fails(
      '{{.Foo}}',
      ctx,
      'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.clientContextContext',
    );
    fails(
      'a\n {{.Name.Foo}}',
      ctx,
      'template: :2:8: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type string',
    );
    fails('{{.Name.X.Y}}', ctx, 'template: :1:7: executing "" at <.Name.X.Y>: can\'t evaluate field X in type string');
    fails(
      '{{printf "%s" .Name}}x{{.Nope}}',
      ctx,
      'template: :1:24: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.clientContextContext',
    );
    fails(
      '{{if .Name}}{{.Name.X}}{{end}}',
      ctx,
      'template: :1:19: executing "" at <.Name.X>: can\'t evaluate field X in type string',
    );
    fails('{{$x := 1}}{{$x.Y}}', ctx, 'template: :1:15: executing "" at <$x.Y>: can\'t evaluate field Y in type int');
    fails('{{(1).X}}', ctx, 'template: :1:3: executing "" at <1>: can\'t evaluate field X in type int');
  });

  it('reports arguments given to things that take none', () => {
    fails('{{.a "x"}}', { a: 1 }, 'template: :1:2: executing "" at <.a>: a is not a method but has arguments');
    class S {
      F = 1;
    }
    fails(
      '{{.F 2}}',
      new S(),
      'template: :1:2: executing "" at <.F>: F has arguments but cannot be invoked as function',
    );
    fails('{{1 2}}', {}, 'template: :1:2: executing "" at <1>: can\'t give argument to non-function 1');
    fails('ab{{nil}}', {}, 'template: :1:4: executing "" at <nil>: nil is not a command');
  });

  it('wraps errors thrown by methods and functions', () => {
    const ctx = {
      Boom(): string {
        throw new Error('bad');
      },
    };
    fails('{{.Boom}}', ctx, 'template: :1:2: executing "" at <.Boom>: error calling Boom: bad');
  });

  it('keeps the output written before an error', () => {
    assert.equal(failure('ab{{nil}}', {}).partial, 'ab');
  });
});

describe('control structures', () => {
  it('range over a slice with index and element', () => {
    assert.equal(run('{{range $i, $e := .}}{{$i}}={{$e}},{{end}}', ['a', 'b', 'c']), '0=a,1=b,2=c,');
    assert.equal(run('{{range .}}[{{.}}]{{end}}', ['x', 'y']), '[x][y]');
  });

  it('range over maps in sorted key order', () => {
    assert.equal(run('{{range $k, $v := .}}{{$k}}={{$v}};{{end}}', { b: 2, a: 1, c: 3 }), 'a=1;b=2;c=3;');
    assert.equal(
      run(
        '{{range $k, $v := .}}{{$k}}={{$v}};{{end}}',
        new Map([
          ['z', 1],
          ['y', 2],
        ]),
      ),
      'y=2;z=1;',
    );
  });

  it('range over an int, range else, break and continue', () => {
    assert.equal(run('{{range $i := 3}}{{$i}}{{end}}'), '012');
    assert.equal(run('{{range .}}x{{else}}empty{{end}}', []), 'empty');
    assert.equal(run('{{range .}}x{{else}}none{{end}}', undefined), 'none');
    assert.equal(
      run('{{range split "a,b,c,d" ","}}{{if eq . "b"}}{{continue}}{{end}}{{if eq . "d"}}{{break}}{{end}}{{.}}{{end}}'),
      'ac',
    );
    fails(
      '{{range $i, $e := 3}}{{$i}}{{end}}',
      {},
      'template: :1:18: executing "" at <3>: can\'t use 3 to iterate over more than one variable',
    );
    fails(
      '{{range .Name}}{{end}}',
      new ClientContext(),
      'template: :1:8: executing "" at <.Name>: range can\'t iterate over default',
    );
  });

  it('if / else if / else, with / else with, and truth', () => {
    const t = '{{if and .A (not .B)}}yes{{else if .C}}c{{else}}no{{end}}';
    assert.equal(run(t, { A: 1, B: 0, C: 0 }), 'yes');
    assert.equal(run(t, { A: 1, B: 1, C: 'x' }), 'c');
    assert.equal(run(t, { A: [], B: false, C: {} }), 'no');
    assert.equal(run('{{with .X}}{{.}}{{else}}none{{end}}', { X: 'v' }), 'v');
    assert.equal(
      run('{{with ""}}x{{else with 0}}y{{else}}z{{end}}|{{if 0}}a{{else if ""}}b{{else if 3}}c{{end}}'),
      'z|c',
    );
    assert.equal(run('{{with $x := "q"}}{{$x}}{{.}}{{end}}'), 'qq');
  });

  it('variables: declaration, assignment, scope', () => {
    assert.equal(run('{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}'), '2');
    assert.equal(run('{{ $x := "a" }}{{ $x }}{{ range $x = split "b,c" "," }}{{ $x }}{{ end }}{{ $x }}'), 'abcc');
    assert.equal(run('{{range $i, $e := split "a,b" ","}}{{$i}}{{$e}}{{end}}{{$e := 5}}{{$e}}'), '0a1b5');
  });

  it('define, template and block', () => {
    assert.equal(run('{{define "x"}}X{{.}}{{end}}{{template "x" 5}}{{block "y" 6}}Y{{.}}{{end}}'), 'X5Y6');
    assert.equal(run('{{define "t"}}[{{.}}]{{end}}{{template "t"}}'), '[<no value>]');
    fails('{{template "x"}}', {}, 'template: :1:11: executing "" at <{{template "x"}}>: template "x" not defined');
    fails(
      '{{$x := 1}}{{$x = 2}}{{$x}}{{template "y" .}}{{define "y"}}{{.Nope}}{{end}}',
      new ClientContext(),
      'template: :1:61: executing "y" at <.Nope>: can\'t evaluate field Nope in type *formatter.clientContextContext',
    );
    assert.match(
      failure('{{define "r"}}{{template "r"}}{{end}}{{template "r"}}').message,
      /exceeded maximum template depth/,
    );
  });

  it('trim markers and comments', () => {
    assert.equal(run('a  {{- 1 -}}  b {{- /* c */ -}} c {{/* d */}} d'), 'a1bc  d');
    assert.equal(run('{{range .}}\n  {{- . -}}\n{{end}}', ['a', 'b']), 'ab');
  });
});

describe('literals and pipelines', () => {
  it('strings, numbers, chars, bools', () => {
    assert.equal(
      run('{{`raw\\n`}}|{{"a\\tb\\u00e9\\x41\\101"}}|{{\'a\'}}|{{0x1F}}|{{-3}}|{{1e3}}|{{ 0o17 }}|{{1_000}}'),
      'raw\\n|a\tbéAA|97|31|-3|1000|15|1000',
    );
    assert.equal(run('{{1.5}}|{{0.000012}}|{{true}}|{{"\\xc3\\xa9"}}'), '1.5|1.2e-05|true|é');
  });

  it('pipes the previous result as the last argument', () => {
    assert.equal(run('{{.V | printf "%s" | len}}', { V: '28.2.2' }), '6');
    assert.equal(run('{{.Name | printf "%s|%s" "a"}}', new ClientContext()), 'a|default');
    assert.equal(run('{{"a" | eq "a" "b"}}'), 'true');
    assert.equal(run('{{(index .L 1).N}}', { L: [{ N: 'x' }, { N: 'y' }] }), 'y');
  });

  it('and/or short-circuit and return an operand', () => {
    assert.equal(run('{{and 1 0 2}}{{or 0 "" 3}}{{and 1 2}}{{or 0 ""}}|{{not 0}}'), '032|true');
    const boom: FuncMap = {
      boom: () => {
        throw new Error('evaluated');
      },
    };
    assert.equal(run('{{and false (boom)}}|{{or true (boom)}}', undefined, boom), 'false|true');
  });

  it('user functions, given at parse time and overridden at execution', () => {
    const t = parseTemplate('{{greet .}}', '', { greet: (s: string) => `hi ${s}` });
    assert.equal(t.execute('bob'), 'hi bob');
    assert.equal(t.execute('bob', { greet: (s: string) => `yo ${s}` }), 'yo bob');
    fails(
      '{{index 1 2}}',
      {},
      'template: :1:2: executing "" at <index 1 2>: error calling index: can\'t index item of type int',
    );
  });

  it('functions that are values can be called with call', () => {
    const fns = new Map([['add', (a: number, b: number) => a + b]]);
    assert.equal(run('{{call (index . "add") 1 2}}', fns), '3');
    fails('{{call 1}}', {}, 'template: :1:2: executing "" at <call 1>: error calling call: non-function 1 of type int');
    fails(
      '{{call .Name}}',
      new ClientContext(),
      'template: :1:2: executing "" at <call .Name>: error calling call: non-function .Name of type string',
    );
  });

  it('names the template in errors', () => {
    assert.equal(
      (() => {
        try {
          parseTemplate('{{.A.B}}', 'inspect').execute({ A: 1 });
        } catch (e) {
          return (e as Error).message;
        }
      })(),
      'template: inspect:1:4: executing "inspect" at <.A.B>: can\'t evaluate field B in type int',
    );
  });
});
