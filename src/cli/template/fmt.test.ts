import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFloat } from './fmtfloat.js';
import { sprint, sprintf, sprintln } from './fmt.js';

// Expected strings are what docker 28.2.2 (Go 1.24) printed for the same printf/print calls in a --format template.
describe('fmt', () => {
  it('Sprintf verbs, widths and flags', () => {
    assert.equal(
      sprintf('%5.2f|%-10s|%10s|%q|%x|%X|%%|%v|%t|%05d|%+d|%x', [
        3.14158,
        'ab',
        'cd',
        'e"f\n',
        'hi',
        255,
        null,
        true,
        42,
        5,
        -255,
      ]),
      ' 3.14|ab        |        cd|"e\\"f\\n"|6869|FF|%|<nil>|true|00042|+5|-ff',
    );
    assert.equal(sprintf('%-10s|', ['default']), 'default   |');
    assert.equal(
      sprintf(
        '%05s|%-05d|%05.1f|%x|%X|% x|%#x|%.2s|%.1q|%8.3f|%-8.3f|%+.2e|%08.3f|%#08x|%o|%#o|%b|%c|%U|%#U|%q|%+q|%#q|%x',
        [
          'ab',
          3,
          2.5,
          'héllo',
          'hi',
          'hi',
          'hi',
          'héllo',
          'héllo',
          3.14158,
          3.14158,
          12345.678,
          -3.14158,
          255,
          8,
          8,
          5,
          233,
          233,
          233,
          233,
          'é',
          'a`b',
          -1,
        ],
      ),
      `000ab|3    |002.5|68c3a96c6c6f|6869|68 69|0x6869|hé|"h"|   3.142|3.142   |+1.23e+04|-003.142|0x000000ff|10|010|101|é|U+00E9|U+00E9 'é'|'é'|"\\u00e9"|"a\`b"|-1`,
    );
    assert.equal(
      sprintf('%.3d|%.0d|%+.3d|%x|%X|%#X|% d|%+d', [7, 0, 7, 3735928559, 3735928559, 255, 5, 0]),
      '007||+007|deadbeef|DEADBEEF|0XFF| 5|+0',
    );
    assert.equal(sprintf('%6.2v|%.3v|%10v|%-10v', [3.14158, 'abcdef', true, 'x']), '   3.1|abc|      true|x         ');
  });

  it('float formatting rounds half to even on the exact value', () => {
    assert.equal(
      sprintf('%6.2f|%e|%g|%.3g|%G|%.0f|%.0f|%.1f', [2.5, 1234.5678, 0.0001234, 1234.5678, 1e-7, 0.5, 2.5, 0.25]),
      '  2.50|1.234568e+03|0.0001234|1.23e+03|1E-07|0|2|0.2',
    );
    assert.equal(sprintf('%v %v %v %v', [0.1, 0.00001, 1.5, 1.5e21]), '0.1 1e-05 1.5 1.5e+21');
    assert.equal(sprintf('%G|%x', [1e-10, 1.5]), '1E-10|0x1.8p+00');
    assert.equal(formatFloat(123456789.5, 'g', -1), '1.234567895e+08');
    assert.equal(formatFloat(1e6, 'g', -1), '1e+06');
    assert.equal(formatFloat(100000, 'g', -1), '100000');
    assert.equal(formatFloat(0, 'e', 6), '0.000000e+00');
    assert.equal(formatFloat(1, 'b', -1), '4503599627370496p-52');
    assert.equal(formatFloat(Number.NaN, 'g', -1), 'NaN');
    assert.equal(sprintf('%5.1f|%v', [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]), ' +Inf|-Inf');
  });

  it('the float verbs also take integral numbers (JS cannot tell 2.0 from 2)', () => {
    assert.equal(sprintf('%.2f|%e|%g', [2, 5, 100000]), '2.00|5.000000e+00|100000');
  });

  it('reports bad verbs, missing and extra operands as Go does', () => {
    assert.equal(sprintf('%d|%s|%t', ['x', 3, 1]), '%!d(string=x)|%!s(int=3)|%!t(int=1)');
    assert.equal(sprintf('%s', []), '%!s(MISSING)');
    assert.equal(sprintf('%s', [1, 'b']), '%!s(int=1)%!(EXTRA string=b)');
    assert.equal(sprintf('abc%', []), 'abc%!(NOVERB)');
    assert.equal(sprintf('%z', [1]), '%!z(int=1)');
    assert.equal(sprintf('%!', []), '%!!(MISSING)');
    assert.equal(sprintf('%5%', []), '%');
    assert.equal(sprintf('%v %s %d', [null, null, null]), '<nil> %!s(<nil>) %!d(<nil>)');
    assert.equal(
      sprintf('%s|%v|%q|%d|%t', [true, false, null, 1.5, 'x']),
      '%!s(bool=true)|false|%!q(<nil>)|%!d(float64=1.5)|%!t(string=x)',
    );
    assert.equal(sprintf('%[3]d', [1, 2]), '%!d(BADINDEX)');
  });

  it('width and precision from arguments, explicit argument indexes', () => {
    assert.equal(sprintf('%*d|%-*d|%.*f', [5, 1, 4, 2, 2, 3.14158]), '    1|2   |3.14');
    assert.equal(sprintf('%[2]d %[1]d', [1, 2]), '2 1');
    assert.equal(sprintf('%*d', ['x', 1]), '%!(BADWIDTH)1');
  });

  it('prints slices, maps and structs as %v', () => {
    assert.equal(
      sprintf('%v|%d|%s|%q|%5d', [['a', 'b'], ['a', 'b'], ['a', 'b'], ['a', 'b'], 7]),
      '[a b]|[%!d(string=a) %!d(string=b)]|[a b]|["a" "b"]|    7',
    );
    assert.equal(sprint([{ b: 2, a: [1, 'x'], c: { d: null } }]), 'map[a:[1 x] b:2 c:map[d:<nil>]]');
    class Endpoint {
      Host = 'unix:///var/run/docker.sock';
      SkipTLSVerify = false;
    }
    assert.equal(sprint([new Map([['docker', new Endpoint()]])]), 'map[docker:{unix:///var/run/docker.sock false}]');
    assert.equal(sprintf('%+v', [new Endpoint()]), '{Host:unix:///var/run/docker.sock SkipTLSVerify:false}');
    assert.equal(sprintf('%T|%T|%T|%T|%T', [1, 1.5, 'a', true, null]), 'int|float64|string|bool|<nil>');
    assert.equal(sprintf('%T|%T', [['a'], { a: 1 }]), '[]string|map[string]int');
  });

  it('Sprint spaces operands unless one is a string; Sprintln always', () => {
    assert.equal(sprint([1, 2, 'a', 3, 'b', 'c', 4.5, true, false]), '1 2a3bc4.5 true false');
    assert.equal(sprint([null, 'a', null, 1, null]), '<nil>a<nil> 1 <nil>');
    assert.equal(sprintln([1, 'a', 2]), '1 a 2\n');
    assert.equal(sprintln([]), '\n');
  });

  it('uses String() and Error() methods', () => {
    class Stringer {
      String(): string {
        return 'str';
      }
    }
    assert.equal(sprintf('%v|%s|%q', [new Stringer(), new Error('boom'), new Stringer()]), 'str|boom|"str"');
    assert.equal(sprint([new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 670))]), '2024-01-02 03:04:05.67 +0000 UTC');
  });
});
