// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell syntax under test, not templates
// The shell lexer against moby's lexer test cases (shell/envVarTest and wordsTest of the builder's parser, as data).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { expandWord, expandWords, lex } from './lex.js';

// [source, expected | null for an error]; the environment is PWD=/home SHELL=bash KOREAN=한국어 NULL=''.
const WORD_CASES: [string, string | null][] = [
  ['hello', 'hello'],
  ["he'll'o", 'hello'],
  ["he'llo", null],
  ["he\\'llo", "he'llo"],
  ["he\\\\'llo", null],
  ['abc\\tdef', 'abctdef'],
  ['"abc\\tdef"', 'abc\\tdef'],
  ['"abc\\\\tdef"', 'abc\\tdef'],
  ["'abc\\tdef'", 'abc\\tdef'],
  ['hello\\', 'hello'],
  ['hello\\\\', 'hello\\'],
  ['"hello', null],
  ['"hello\\"', null],
  ['"hel\'lo"', "hel'lo"],
  ["'hello", null],
  ["'hello\\'", 'hello\\'],
  ["'hello\\there'", 'hello\\there'],
  ["'hello\\\\there'", 'hello\\\\there'],
  ['"\'\'"', "''"],
  ['$.', '$.'],
  ['he$1x', 'hex'],
  ['he$.x', 'he$.x'],
  ['he$pwd.', 'he.'],
  ['he$PWD', 'he/home'],
  ['he\\$PWD', 'he$PWD'],
  ['he\\\\$PWD', 'he\\/home'],
  ['"he\\$PWD"', 'he$PWD'],
  ['"he\\\\$PWD"', 'he\\/home'],
  ['\\${}', '${}'],
  ['\\${}aaa', '${}aaa'],
  ['he\\${}', 'he${}'],
  ['he\\${}xx', 'he${}xx'],
  ['${}', null],
  ['${}aaa', null],
  ['he${}', null],
  ['he${}xx', null],
  ['he${hi}', 'he'],
  ['he${hi}xx', 'hexx'],
  ['he${PWD}', 'he/home'],
  ['he${.}', null],
  ['he${XXX:-000}xx', 'he000xx'],
  ['he${PWD:-000}xx', 'he/homexx'],
  ['he${XXX:-$PWD}xx', 'he/homexx'],
  ['he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
  ['he${XXX:-${YYY:-yyy}}xx', 'heyyyxx'],
  ['he${XXX:YYY}', null],
  ['he${XXX?}', null],
  ['he${XXX:?}', null],
  ['he${PWD?}', 'he/home'],
  ['he${PWD:?}', 'he/home'],
  ['he${NULL?}', 'he'],
  ['he${NULL:?}', null],
  ['he${XXX:+${PWD}}xx', 'hexx'],
  ['he${PWD:+${XXX}}xx', 'hexx'],
  ['he${PWD:+${SHELL}}xx', 'hebashxx'],
  ['he${XXX:+000}xx', 'hexx'],
  ['he${PWD:+000}xx', 'he000xx'],
  ["'he${XX}'", 'he${XX}'],
  ['"he${PWD}"', 'he/home'],
  ['"he\'$PWD\'"', "he'/home'"],
  ['"$PWD"', '/home'],
  ["'$PWD'", '$PWD'],
  ["'\\$PWD'", '\\$PWD'],
  ['\'"hello"\'', '"hello"'],
  ['he\\$PWD', 'he$PWD'],
  ['"he\\$PWD"', 'he$PWD'],
  ["'he\\$PWD'", 'he\\$PWD'],
  ['he${PWD', null],
  ['he${PWD:=000}xx', null],
  ['he${PWD:+${PWD}:}xx', 'he/home:xx'],
  ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
  ['he${XXX:-\\${PWD}z}xx', 'he${PWDz}xx'],
  ['안녕하세요', '안녕하세요'],
  ["안'녕'하세요", '안녕하세요'],
  ["안'녕하세요", null],
  ["안녕\\'하세요", "안녕'하세요"],
  ["안\\\\'녕하세요", null],
  ['안녕\\t하세요', '안녕t하세요'],
  ['"안녕\\t하세요"', '안녕\\t하세요'],
  ["'안녕\\t하세요", null],
  ['안녕하세요\\', '안녕하세요'],
  ['안녕하세요\\\\', '안녕하세요\\'],
  ['"안녕하세요', null],
  ['"안녕하세요\\"', null],
  ['"안녕\'하세요"', "안녕'하세요"],
  ["'안녕하세요", null],
  ["'안녕하세요\\'", '안녕하세요\\'],
  ['안녕$1x', '안녕x'],
  ['안녕$.x', '안녕$.x'],
  ['안녕$pwd.', '안녕.'],
  ['안녕$PWD', '안녕/home'],
  ['안녕\\$PWD', '안녕$PWD'],
  ['안녕\\\\$PWD', '안녕\\/home'],
  ['안녕\\${}', '안녕${}'],
  ['안녕\\${}xx', '안녕${}xx'],
  ['안녕${}', null],
  ['안녕${}xx', null],
  ['안녕${hi}', '안녕'],
  ['안녕${hi}xx', '안녕xx'],
  ['안녕${PWD}', '안녕/home'],
  ['안녕${.}', null],
  ['안녕${XXX:-000}xx', '안녕000xx'],
  ['안녕${PWD:-000}xx', '안녕/homexx'],
  ['안녕${XXX:-$PWD}xx', '안녕/homexx'],
  ['안녕${XXX:-${PWD:-yyy}}xx', '안녕/homexx'],
  ['안녕${XXX:-${YYY:-yyy}}xx', '안녕yyyxx'],
  ['안녕${XXX:YYY}', null],
  ['안녕${XXX:+${PWD}}xx', '안녕xx'],
  ['안녕${PWD:+${XXX}}xx', '안녕xx'],
  ['안녕${PWD:+${SHELL}}xx', '안녕bashxx'],
  ['안녕${XXX:+000}xx', '안녕xx'],
  ['안녕${PWD:+000}xx', '안녕000xx'],
  ["'안녕${XX}'", '안녕${XX}'],
  ['"안녕${PWD}"', '안녕/home'],
  ['"안녕\'$PWD\'"', "안녕'/home'"],
  ['\'"안녕"\'', '"안녕"'],
  ['안녕\\$PWD', '안녕$PWD'],
  ['"안녕\\$PWD"', '안녕$PWD'],
  ["'안녕\\$PWD'", '안녕\\$PWD'],
  ['안녕${PWD', null],
  ['안녕${PWD:=000}xx', null],
  ['안녕${PWD:+${PWD}:}xx', '안녕/home:xx'],
  ['안녕${XXX:-\\$PWD:}xx', '안녕$PWD:xx'],
  ['안녕${XXX:-\\${PWD}z}xx', '안녕${PWDz}xx'],
  ['$KOREAN', '한국어'],
  ['안녕$KOREAN', '안녕한국어'],
  ['${{aaa}', null],
  ['${aaa}}', '}'],
  ['${aaa', null],
  ['${{aaa:-bbb}', null],
  ['${aaa:-bbb}}', 'bbb}'],
  ['${aaa:-bbb', null],
  ['${aaa:-bbb}', 'bbb'],
  ['${aaa:-${bbb:-ccc}}', 'ccc'],
  ['${aaa:-bbb ${foo}', null],
  ['${aaa:-bbb {foo}', 'bbb {foo'],
  ['${:}', null],
  ['${:-bbb}', null],
  ['${:+bbb}', null],
  ['$1', ''],
  ['${1}', ''],
  ['${1:+bbb}', ''],
  ['${1:-bbb}', 'bbb'],
  ['$2', ''],
  ['${2}', ''],
  ['${2:+bbb}', ''],
  ['${2:-bbb}', 'bbb'],
  ['$3', ''],
  ['${3}', ''],
  ['${3:+bbb}', ''],
  ['${3:-bbb}', 'bbb'],
  ['$4', ''],
  ['${4}', ''],
  ['${4:+bbb}', ''],
  ['${4:-bbb}', 'bbb'],
  ['$5', ''],
  ['${5}', ''],
  ['${5:+bbb}', ''],
  ['${5:-bbb}', 'bbb'],
  ['$6', ''],
  ['${6}', ''],
  ['${6:+bbb}', ''],
  ['${6:-bbb}', 'bbb'],
  ['$7', ''],
  ['${7}', ''],
  ['${7:+bbb}', ''],
  ['${7:-bbb}', 'bbb'],
  ['$8', ''],
  ['${8}', ''],
  ['${8:+bbb}', ''],
  ['${8:-bbb}', 'bbb'],
  ['$9', ''],
  ['${9}', ''],
  ['${9:+bbb}', ''],
  ['${9:-bbb}', 'bbb'],
  ['$999', ''],
  ['${999}', ''],
  ['${999:+bbb}', ''],
  ['${999:-bbb}', 'bbb'],
  ['$999aaa', 'aaa'],
  ['${999}aaa', 'aaa'],
  ['${999:+bbb}aaa', 'aaa'],
  ['${999:-bbb}aaa', 'bbbaaa'],
  ['$001', ''],
  ['${001}', ''],
  ['${001:+bbb}', ''],
  ['${001:-bbb}', 'bbb'],
  ['$001aaa', 'aaa'],
  ['${001}aaa', 'aaa'],
  ['${001:+bbb}aaa', 'aaa'],
  ['${001:-bbb}aaa', 'bbbaaa'],
  ['$@', ''],
  ['${@}', ''],
  ['${@:+bbb}', ''],
  ['${@:-bbb}', 'bbb'],
  ['$@@@', '@@'],
  ['$@aaa', 'aaa'],
  ['${@}aaa', 'aaa'],
  ['${@:+bbb}aaa', 'aaa'],
  ['${@:-bbb}aaa', 'bbbaaa'],
  ['$*', ''],
  ['${*}', ''],
  ['${*:+bbb}', ''],
  ['${*:-bbb}', 'bbb'],
  ['$#', ''],
  ['${#}', ''],
  ['${#:+bbb}', ''],
  ['${#:-bbb}', 'bbb'],
  ['$?', ''],
  ['${?}', ''],
  ['${?:+bbb}', ''],
  ['${?:-bbb}', 'bbb'],
  ['$-', ''],
  ['${-}', ''],
  ['${-:+bbb}', ''],
  ['${-:-bbb}', 'bbb'],
  ['$$', ''],
  ['${$}', ''],
  ['${$:+bbb}', ''],
  ['${$:-bbb}', 'bbb'],
  ['$!', ''],
  ['${!}', ''],
  ['${!:+bbb}', ''],
  ['${!:-bbb}', 'bbb'],
  ['$0', ''],
  ['${0}', ''],
  ['${0:+bbb}', ''],
  ['${0:-bbb}', 'bbb'],
];

// [source, environment, expected words | null for an error].
const WORDS_CASES: [string, Record<string, string>, string[] | null][] = [
  ['hello', {}, ['hello']],
  ['hello${hi}bye', {}, ['hellobye']],
  [
    'hello${hi}bye',
    {
      hi: 'hi',
    },
    ['hellohibye'],
  ],
  [
    'hello${space}bye',
    {
      hi: 'hi',
      space: 'abc  def',
    },
    ['helloabc', 'defbye'],
  ],
  [
    'hello"${space}"bye',
    {
      hi: 'hi',
      space: 'abc  def',
    },
    ['helloabc  defbye'],
  ],
  [
    'hello "${space}"bye',
    {
      hi: 'hi',
      space: 'abc  def',
    },
    ['hello', 'abc  defbye'],
  ],
  [
    'hello${leading}def',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
    },
    ['hello', 'ab', 'cdef'],
  ],
  [
    'hello"${leading}" def',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
    },
    ['hello  ab c', 'def'],
  ],
  [
    'hello"${leading}"',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
    },
    ['hello  ab c'],
  ],
  [
    'hello${leading}',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
    },
    ['hello', 'ab', 'c'],
  ],
  [
    'hello${trailing}',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['helloab', 'c'],
  ],
  [
    'hello${trailing}d',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['helloab', 'c', 'd'],
  ],
  [
    'hello"${trailing}"d',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['helloab c   d'],
  ],
  [
    'hel"lo${trailing}"',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['helloab c   '],
  ],
  [
    'hello" there  "',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello there  '],
  ],
  [
    'hello there',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello', 'there'],
  ],
  [
    'hello\\ there',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello there'],
  ],
  [
    'hello" there',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    null,
  ],
  [
    'hello\\" there',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello"', 'there'],
  ],
  [
    'hello"\\\\there"',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello\\there'],
  ],
  [
    'hello"\\there"',
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello\\there'],
  ],
  [
    "hello'\\\\there'",
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello\\\\there'],
  ],
  [
    "hello'\\there'",
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello\\there'],
  ],
  [
    "hello'$there'",
    {
      hi: 'hi',
      space: 'abc  def',
      leading: '  ab c',
      trailing: 'ab c   ',
    },
    ['hello$there'],
  ],
];

const ENV = new Map([
  ['PWD', '/home'],
  ['SHELL', 'bash'],
  ['KOREAN', '한국어'],
  ['NULL', ''],
]);

test("expandWord follows moby's lexer on its test cases", () => {
  for (const [source, expected] of WORD_CASES) {
    if (expected === null) {
      assert.throws(() => expandWord(source, ENV), isInvalidParameter, source);
    } else {
      assert.equal(expandWord(source, ENV), expected, source);
    }
  }
});

test('expandWords splits on unquoted whitespace after substitution', () => {
  for (const [source, env, expected] of WORDS_CASES) {
    const m = new Map(Object.entries(env));
    if (expected === null) assert.throws(() => expandWords(source, m), isInvalidParameter, source);
    else assert.deepEqual(expandWords(source, m), expected, source);
  }
});

test('the backtick escape token escapes like the backslash', () => {
  assert.equal(expandWord('he`$PWD', ENV, '`'), 'he$PWD');
  assert.equal(expandWord('c:\\dir', ENV, '`'), 'c:\\dir');
  assert.equal(expandWord('"a`"b"', ENV, '`'), 'a"b');
});

test('${VAR-x} and ${VAR+x} test unset only (newer BuildKit forms)', () => {
  assert.equal(expandWord('${NULL-x}', ENV), '');
  assert.equal(expandWord('${XXX-x}', ENV), 'x');
  assert.equal(expandWord('${NULL+x}', ENV), 'x');
  assert.equal(expandWord('${XXX+x}', ENV), '');
});

test("errors read as Docker's", () => {
  assert.throws(() => expandWord('${XXX:?must be set}', ENV), {
    message: 'failed to process "${XXX:?must be set}": XXX: must be set',
  });
  assert.throws(() => expandWord('he${PWD:=000}', ENV), {
    message: 'failed to process "he${PWD:=000}": unsupported modifier (=) in substitution',
  });
  assert.throws(() => expandWord("'abc", ENV), {
    message: 'failed to process "\'abc": unexpected end of statement while looking for matching single-quote',
  });
});

test('skipUnset keeps unset references as written (heredoc delimiters)', () => {
  assert.equal(lex('a$X${Y}${Z:-d}$PWD', ENV, '\\', { skipUnset: true }).word, 'a$X${Y}${Z:-d}/home');
});
