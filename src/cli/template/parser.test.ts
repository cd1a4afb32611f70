import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeString } from './ast.js';
import { BUILTINS } from './funcs.js';
import { parse } from './parser.js';

const FUNCS = new Set([...BUILTINS.keys(), 'upper']);
const tree = (text: string): string => nodeString(parse(text, '', FUNCS).get('')!);
const parseError = (text: string, name = ''): string => {
  try {
    parse(text, name, FUNCS);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('parsed');
};

describe('parser', () => {
  it('round-trips a tree through Go String() forms', () => {
    assert.equal(
      tree('a{{.A.B}}{{$x := .C | upper}}{{(1).X}}{{index . "k"}}'),
      'a{{.A.B}}{{$x := .C | upper}}{{(1).X}}{{index . "k"}}',
    );
    assert.equal(
      tree('{{if .A}}x{{else if .B}}y{{else}}z{{end}}'),
      '{{if .A}}x{{else}}{{if .B}}y{{else}}z{{end}}{{end}}',
    );
    assert.equal(tree('{{range $i, $e := .}}{{$i}}{{break}}{{end}}'), '{{range $i, $e := .}}{{$i}}{{break}}{{end}}');
    assert.equal(tree('{{with $x := 1}}{{$x.Y}}{{end}}'), '{{with $x := 1}}{{$x.Y}}{{end}}');
    assert.equal(tree('{{template "t" .}}'), '{{template "t" .}}');
  });

  it('a chained field takes the position of its second part, as in Go', () => {
    const root = parse('{{.Name.Foo}}', '', FUNCS).get('')!;
    const action = root.nodes[0]!;
    assert.equal(action.type, 'action');
    if (action.type === 'action') assert.equal(action.pipe.cmds[0]!.args[0]!.pos, 7);
  });

  it('collects {{define}} and {{block}} trees', () => {
    const set = parse('{{define "a"}}A{{end}}x{{block "b" .}}B{{end}}', 'main', FUNCS);
    assert.deepEqual([...set.keys()].sort(), ['a', 'b', 'main']);
    assert.equal(nodeString(set.get('main')!), 'x{{template "b" .}}');
    assert.equal(nodeString(set.get('b')!), 'B');
  });

  // Messages as docker 28.2.2 (Go 1.24) prints them.
  it('reports Go parse errors with the template name and line', () => {
    assert.equal(parseError('{{if}}', 'version'), 'template: version:1: missing value for if');
    assert.equal(parseError('x{{end}}'), 'template: :1: unexpected {{end}}');
    assert.equal(parseError('{{.Foo'), 'template: :1: unclosed action');
    assert.equal(parseError('{{"abc}}'), 'template: :1: unterminated quoted string');
    assert.equal(parseError('{{$x}}'), 'template: :1: undefined variable "$x"');
    assert.equal(parseError('{{break}}'), 'template: :1: {{break}} outside {{range}}');
    assert.equal(parseError('{{range .}}{{else}}{{else}}{{end}}'), 'template: :1: expected end; found {{else}}');
    assert.equal(parseError('{{if 1}}'), 'template: :1: unexpected EOF');
    assert.equal(parseError('a\nb{{bad}}'), 'template: :2: function "bad" not defined');
    assert.equal(parseError('{{with $x := 3}}{{$x}}{{end}}{{$x}}'), 'template: :1: undefined variable "$x"');
    assert.equal(parseError('{{3 | 4}}'), 'template: :1: non executable command in pipeline stage 2');
    assert.equal(parseError('{{1.X}}'), 'template: :1: bad number syntax: "1.X"');
  });

  it('reports other Go parse errors', () => {
    assert.equal(parseError('{{range $a, $b, $c := .}}{{end}}'), 'template: :1: too many declarations in range');
    assert.equal(parseError('{{$a, $b := .}}'), 'template: :1: too many declarations in command');
    assert.equal(parseError('{{.A,}}'), 'template: :1: unexpected "," in operand');
    assert.equal(parseError('{{"a".X}}'), 'template: :1: unexpected . after term "\\"a\\""');
    assert.equal(
      parseError('{{define "a"}}1{{end}}{{define "a"}}2{{end}}'),
      'template: :1: template: multiple definition of template "a"',
    );
    assert.equal(parseError('{{if .A}}\n{{.B'), 'template: :2: unclosed action');
    assert.equal(parseError('{{template .}}'), 'template: :1: unexpected <.> in template clause');
    assert.equal(parseError('{{template .A}}'), 'template: :1: unexpected ".A" in template clause');
    assert.equal(parseError('{{"\\z"}}'), 'template: :1: invalid syntax');
    assert.equal(parseError('{{.A\n"x'), 'template: :2: unterminated quoted string in action started at :1');
    assert.equal(parseError('{{(.A\n}}'), 'template: :2: unclosed left paren in action started at :1');
    assert.equal(parseError('{{99999999999999999999}}'), 'template: :1: integer overflow: "99999999999999999999"');
  });
});
