import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { itemString, lex } from './lexer.js';

const kinds = (text: string): string[] => lex(text).map((i) => `${i.type}:${i.val}`);

describe('lexer', () => {
  it('splits text and actions into Go items', () => {
    assert.deepEqual(kinds('a {{.A.B | printf "%s" $x}} b'), [
      'text:a ',
      'leftDelim:{{',
      'field:.A',
      'field:.B',
      'space: ',
      'pipe:|',
      'space: ',
      'identifier:printf',
      'space: ',
      'string:"%s"',
      'space: ',
      'variable:$x',
      'rightDelim:}}',
      'text: b',
      'eof:',
    ]);
  });

  it('knows keywords, literals, declarations and parentheses', () => {
    assert.deepEqual(kinds("{{range $i, $e := (index . 1)}}{{else}}{{end}}{{true nil 'a' 0x1F `r` -3 .}}"), [
      'leftDelim:{{',
      'range:range',
      'space: ',
      'variable:$i',
      'char:,',
      'space: ',
      'variable:$e',
      'space: ',
      'declare::=',
      'space: ',
      'leftParen:(',
      'identifier:index',
      'space: ',
      'dot:.',
      'space: ',
      'number:1',
      'rightParen:)',
      'rightDelim:}}',
      'leftDelim:{{',
      'else:else',
      'rightDelim:}}',
      'leftDelim:{{',
      'end:end',
      'rightDelim:}}',
      'leftDelim:{{',
      'bool:true',
      'space: ',
      'nil:nil',
      'space: ',
      "charConstant:'a'",
      'space: ',
      'number:0x1F',
      'space: ',
      'rawString:`r`',
      'space: ',
      'number:-3',
      'space: ',
      'dot:.',
      'rightDelim:}}',
      'eof:',
    ]);
  });

  it('trim markers remove the white space next to them, comments vanish', () => {
    assert.deepEqual(kinds('a \n {{- 1 -}} \n b {{- /* c */ -}} c {{/* d */}} d'), [
      'text:a',
      'leftDelim:{{',
      'number:1',
      'rightDelim:}}',
      'text:b',
      'text:c ',
      'text: d',
      'eof:',
    ]);
  });

  it('{{-3}} is a number, not a trim marker', () => {
    assert.deepEqual(kinds('x {{-3}}'), ['text:x ', 'leftDelim:{{', 'number:-3', 'rightDelim:}}', 'eof:']);
  });

  it('newlines inside an action are spaces', () => {
    assert.deepEqual(kinds('{{.A\n}}'), ['leftDelim:{{', 'field:.A', 'space:\n', 'rightDelim:}}', 'eof:']);
  });

  it('records the line of each item', () => {
    const items = lex('a\nb{{.X}}\n\n{{.Y}}');
    assert.deepEqual(
      items.filter((i) => i.type === 'field').map((i) => [i.val, i.line]),
      [
        ['.X', 2],
        ['.Y', 4],
      ],
    );
  });

  it('stops at the first error, with Go messages', () => {
    const last = (text: string): string => lex(text).at(-1)!.val;
    assert.equal(last('{{.Foo'), 'unclosed action');
    assert.equal(last('{{"abc}}'), 'unterminated quoted string');
    assert.equal(last('{{`abc}}'), 'unterminated raw quoted string');
    assert.equal(last('{{1.X}}'), 'bad number syntax: "1.X"');
    assert.equal(last('{{.A+}}'), "bad character U+002B '+'");
    assert.equal(last('{{a:b}}'), 'expected :=');
    assert.equal(last('{{(1}}'), 'unclosed left paren');
    assert.equal(last('{{1)}}'), "unexpected right paren U+0029 ')'");
    assert.equal(last('{{/* x }}'), 'unclosed comment');
    assert.equal(last('{{/* x */ .}}'), 'comment ends before closing delimiter');
    assert.equal(last('{{\u00a7}}'), "unrecognized character in action: U+00A7 '§'");
  });

  it('names items as Go error messages do', () => {
    const [text, , end] = lex('0123456789abc{{end}}');
    assert.equal(itemString(text!), '"0123456789"...');
    assert.equal(itemString(end!), '<end>');
    assert.equal(itemString({ type: 'char', pos: 0, val: ',', line: 1 }), '","');
  });
});
