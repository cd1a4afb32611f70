// Go's json.Indent: re-indents JSON text without re-encoding it (strings, numbers and key order stay byte for byte
// as the daemon wrote them), as `docker inspect` prints the daemon's raw answers.

const WS = new Set([' ', '\t', '\n', '\r']);

export function jsonIndent(src: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let i = 0;
  const n = src.length;
  const nextSignificant = (from: number) => {
    let j = from;
    while (j < n && WS.has(src[j]!)) j++;
    return src[j];
  };
  const newline = () => `\n${indent.repeat(depth)}`;
  while (i < n) {
    const c = src[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    i++;
    if (WS.has(c)) continue;
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      if (nextSignificant(i) === close) {
        out += c + close;
        while (src[i] !== close) i++;
        i++;
        continue;
      }
      depth++;
      out += c + newline();
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') {
      out += `,${newline()}`;
    } else if (c === ':') {
      out += ': ';
    } else {
      out += c;
    }
  }
  return out;
}
