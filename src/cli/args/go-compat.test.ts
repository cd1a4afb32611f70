// The Go-library behaviours the docker CLI's messages and values come from: strconv, encoding/csv, net.ParseIP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCsvRecord } from './csv.js';
import { ipString, isValidMAC, parseIP } from './ip.js';
import { atoi, parseBool, parseFloat64, parseInt64, parseUint64, quote, quoteRune } from './strconv.js';

test('strconv.ParseInt/ParseUint: bases, underscores, ranges, error texts', () => {
  assert.equal(parseInt64('42'), 42);
  assert.equal(parseInt64('-42'), -42);
  assert.equal(parseInt64('+7', 0), 7);
  assert.equal(parseInt64('0x1F', 0), 31);
  assert.equal(parseInt64('0o17', 0), 15);
  assert.equal(parseInt64('017', 0), 15);
  assert.equal(parseInt64('0b11', 0), 3);
  assert.equal(parseInt64('1_000', 0), 1000);
  assert.equal(parseInt64('0', 0), 0);
  assert.equal(parseInt64('9223372036854775807'), 2 ** 63 - 1);
  assert.throws(() => parseInt64('1_000'), { message: 'strconv.ParseInt: parsing "1_000": invalid syntax' });
  assert.throws(() => parseInt64('_1', 0), { message: 'strconv.ParseInt: parsing "_1": invalid syntax' });
  assert.throws(() => parseInt64('08', 0), { message: 'strconv.ParseInt: parsing "08": invalid syntax' });
  assert.throws(() => parseInt64(''), { message: 'strconv.ParseInt: parsing "": invalid syntax' });
  assert.throws(() => parseInt64('9223372036854775808'), {
    message: 'strconv.ParseInt: parsing "9223372036854775808": value out of range',
  });
  assert.throws(() => parseInt64('1x'), { message: 'strconv.ParseInt: parsing "1x": invalid syntax' });
  assert.equal(parseUint64('65535', 0, 16), 65535);
  assert.throws(() => parseUint64('65536', 0, 16), {
    message: 'strconv.ParseUint: parsing "65536": value out of range',
  });
  assert.throws(() => parseUint64('-1', 0, 16), { message: 'strconv.ParseUint: parsing "-1": invalid syntax' });
  assert.throws(() => atoi('x'), { message: 'strconv.Atoi: parsing "x": invalid syntax' });
});

test('strconv.ParseFloat and ParseBool', () => {
  assert.equal(parseFloat64('1.5'), 1.5);
  assert.equal(parseFloat64('.5'), 0.5);
  assert.equal(parseFloat64('5.'), 5);
  assert.equal(parseFloat64('1e3'), 1000);
  assert.equal(parseFloat64('1_000.5'), 1000.5);
  assert.equal(parseFloat64('0x1p-2'), 0.25);
  assert.equal(parseFloat64('-Inf'), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(parseFloat64('NaN')));
  assert.throws(() => parseFloat64('1.2.3'), { message: 'strconv.ParseFloat: parsing "1.2.3": invalid syntax' });
  assert.throws(() => parseFloat64('1e400'), { message: 'strconv.ParseFloat: parsing "1e400": value out of range' });
  assert.throws(() => parseFloat64(' 1'), { message: 'strconv.ParseFloat: parsing " 1": invalid syntax' });
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseBool(t), true);
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseBool(f), false);
  assert.throws(() => parseBool('tRue'), { message: 'strconv.ParseBool: parsing "tRue": invalid syntax' });
});

test('strconv.Quote and QuoteRune', () => {
  assert.equal(quote('abc'), '"abc"');
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(quote('\t\n\x01\x7f'), '"\\t\\n\\x01\\x7f"');
  assert.equal(quote('é'), '"é"');
  assert.equal(quote('\u00a0'), '"\\u00a0"');
  assert.equal(quoteRune('x'), "'x'");
  assert.equal(quoteRune("'"), "'\\''");
  assert.equal(quoteRune('"'), `'"'`);
});

test('encoding/csv: one record, quotes, doubled quotes, and its errors', () => {
  assert.deepEqual(readCsvRecord('a,b,c'), ['a', 'b', 'c']);
  assert.deepEqual(readCsvRecord('a,,c,'), ['a', '', 'c', '']);
  assert.deepEqual(readCsvRecord('"a,b",c'), ['a,b', 'c']);
  assert.deepEqual(readCsvRecord('"a""b",c'), ['a"b', 'c']);
  assert.deepEqual(readCsvRecord('a,b\r\nc,d\n'), ['a', 'b']);
  assert.deepEqual(readCsvRecord('\n\na'), ['a']);
  assert.deepEqual(readCsvRecord('"a\nb",c'), ['a\nb', 'c']);
  assert.throws(() => readCsvRecord(''), { message: 'EOF' });
  assert.throws(() => readCsvRecord('a"b'), { message: 'parse error on line 1, column 2: bare " in non-quoted-field' });
  assert.throws(() => readCsvRecord('"a"b'), {
    message: 'parse error on line 1, column 4: extraneous or missing " in quoted-field',
  });
  assert.throws(() => readCsvRecord('x,"abc'), {
    message: 'parse error on line 1, column 7: extraneous or missing " in quoted-field',
  });
});

test('net.ParseIP / IP.String', () => {
  const s = (x: string) => {
    const ip = parseIP(x);
    return ip ? ipString(ip) : undefined;
  };
  assert.equal(s('8.8.8.8'), '8.8.8.8');
  assert.equal(s('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(s('::'), '::');
  assert.equal(s('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(s('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(s('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
  assert.equal(s('fe80::1:2'), 'fe80::1:2');
  assert.equal(s('::1.2.3.4'), '::102:304');
  for (const bad of [
    '1.2.3',
    '01.2.3.4',
    '256.1.1.1',
    '1.2.3.4.5',
    'fe80::1%eth0',
    '[::1]',
    ':::',
    '1::2::3',
    '12345::',
    'x',
  ]) {
    assert.equal(parseIP(bad), undefined, bad);
  }
  assert.equal(isValidMAC('02:42:ac:11:00:02'), true);
  assert.equal(isValidMAC('02-42-AC-11-00-02'), true);
  assert.equal(isValidMAC('0242.ac11.0002'), true);
  assert.equal(isValidMAC('02:42:ac:11:00'), false);
  assert.equal(isValidMAC('zz'), false);
});
