// Go encoding/csv's reading of one record, as BuildKit reads `--mount=` values (quoted fields may hold commas).

export function csvFields(s: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new Error('failed to parse csv mounts: extraneous or missing " in quoted-field');
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += s[i++];
      }
      if (i < s.length && s[i] !== ',')
        throw new Error('failed to parse csv mounts: extraneous or missing " in quoted-field');
    } else {
      while (i < s.length && s[i] !== ',') field += s[i++];
    }
    fields.push(field);
    if (i >= s.length) return fields;
    i++; // the comma
  }
}

/** The inverse: quotes a field when it needs it. */
export function csvJoin(fields: string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) || f.startsWith(' ') ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}
