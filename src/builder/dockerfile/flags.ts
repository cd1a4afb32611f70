// Validation of an instruction's `--flags` against the ones it accepts, with Docker's BFlags messages.

export type FlagKind = 'string' | 'strings' | 'bool';
export type FlagSpec = Record<string, FlagKind>;

/** Checks `words` (`--name=value` as written) against `spec`; returns the values by name. */
export function parseFlags(words: string[], spec: FlagSpec): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const word of words) {
    if (!word.startsWith('--')) throw new Error(`Arg should start with -- : ${word}`);
    if (word === '--') break;
    let name = word.slice(2);
    let value = '';
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) throw new Error(`Unknown flag: ${name}`);
    if (out[name] && kind !== 'strings') throw new Error(`Duplicate flag specified: ${name}`);
    if (kind === 'bool') {
      if (eq >= 0 && value === '') throw new Error(`Missing a value on flag: ${name}`);
      const lower = value.toLowerCase();
      if (lower !== '' && lower !== 'true' && lower !== 'false') {
        throw new Error(`Expecting boolean value for flag ${name}, not: ${value}`);
      }
      out[name] = [lower === '' ? 'true' : lower];
      continue;
    }
    if (eq < 0) throw new Error(`Missing a value on flag: ${name}`);
    out[name] = [...(out[name] ?? []), value];
  }
  return out;
}

/** Flags of instructions Docker never checks (ARG, STOPSIGNAL, HEALTHCHECK NONE): recorded, not validated. */
export function rawFlags(words: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const word of words) {
    if (!word.startsWith('--') || word === '--') continue;
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    out[name] = [...(out[name] ?? []), eq >= 0 ? body.slice(eq + 1) : 'true'];
  }
  return out;
}
