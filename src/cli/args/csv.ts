// One record of Go's encoding/csv Reader (comma-separated, strict quotes), with its error texts: the docker CLI reads
// `--mount`, `--network` and `--gpus` values through it, so `"` quoting and its errors must behave the same.

import { InvalidParameter } from '../../errdefs/index.js';

export class CsvParseError extends Error {
  override name = 'CsvParseError';
}

/** csv.NewReader(strings.NewReader(s)).Read(): the first record of `s`. Throws "EOF" when there is none. */
export function readCsvRecord(input: string): string[] {
  const lines = splitLines(input);
  let lineNo = 0;
  let line: string | undefined;
  // Skip empty lines, as Go's readRecord does.
  while (lineNo < lines.length) {
    line = lines[lineNo++];
    if (line !== undefined && line !== '\n') break;
    line = undefined;
  }
  if (line === undefined) throw new CsvParseError('EOF');
  const recLine = lineNo;
  const fields: string[] = [];
  let pos = { line: lineNo, col: 1 };
  const fail = (l: number, col: number, what: string): never => {
    const where = recLine !== l ? `record on line ${recLine}; parse error on line ${l}` : `parse error on line ${l}`;
    throw new CsvParseError(`${where}, column ${col}: ${what}`);
  };
  const BARE = 'bare " in non-quoted-field';
  const QUOTE = 'extraneous or missing " in quoted-field';
  const nlLen = (s: string) => (s.endsWith('\n') ? 1 : 0);

  for (;;) {
    if (line.length === 0 || line[0] !== '"') {
      const i = line.indexOf(',');
      const field = i >= 0 ? line.slice(0, i) : line.slice(0, line.length - nlLen(line));
      const j = field.indexOf('"');
      if (j >= 0) fail(lineNo, pos.col + byteLen(field.slice(0, j)), BARE);
      fields.push(field);
      if (i >= 0) {
        pos = { line: pos.line, col: pos.col + byteLen(line.slice(0, i)) + 1 };
        line = line.slice(i + 1);
        continue;
      }
      return fields;
    }
    // Quoted field.
    let buf = '';
    line = line.slice(1);
    pos = { line: pos.line, col: pos.col + 1 };
    for (;;) {
      const i = line.indexOf('"');
      if (i >= 0) {
        buf += line.slice(0, i);
        pos = { line: pos.line, col: pos.col + byteLen(line.slice(0, i)) + 1 };
        line = line.slice(i + 1);
        if (line[0] === '"') {
          buf += '"';
          line = line.slice(1);
          pos = { line: pos.line, col: pos.col + 1 };
        } else if (line[0] === ',') {
          line = line.slice(1);
          pos = { line: pos.line, col: pos.col + 1 };
          fields.push(buf);
          break;
        } else if (nlLen(line) === line.length) {
          fields.push(buf);
          return fields;
        } else {
          fail(lineNo, pos.col, QUOTE);
        }
      } else if (line.length > 0) {
        buf += line;
        pos = { line: pos.line, col: pos.col + byteLen(line) };
        const next = lines[lineNo];
        if (next !== undefined) {
          lineNo++;
          line = next;
          pos = { line: pos.line + 1, col: 1 };
        } else {
          line = '';
        }
      } else {
        fail(pos.line, pos.col, QUOTE);
      }
    }
  }
}

// Go's readLine keeps the '\n' (normalising "\r\n"), and drops a trailing '\r' at EOF.
function splitLines(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < s.length) {
    const nl = s.indexOf('\n', start);
    let l = nl < 0 ? s.slice(start) : s.slice(start, nl + 1);
    start = nl < 0 ? s.length : nl + 1;
    if (nl < 0 && l.endsWith('\r')) l = l.slice(0, -1);
    if (l.endsWith('\r\n')) l = `${l.slice(0, -2)}\n`;
    out.push(l);
  }
  return out;
}

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Reads one CSV record, turning its errors into InvalidParameter (the flag error's text). */
export function csvOrThrow(value: string): string[] {
  try {
    return readCsvRecord(value);
  } catch (e) {
    throw new InvalidParameter((e as Error).message, { cause: e });
  }
}
