// A spf13/pflag-compatible command-line parser over declarative flag sets: the same syntax (--f=v, --f v, -f v, -fv,
// grouped -itd, bool --rm=false, `--`, interspersed or not), the same accumulation rules and the same error texts, so
// berth's CLI fails exactly where and how docker's does.
import { InvalidParameter } from '../../errdefs/index.js';
import { parseBool, parseFloat64, parseInt64, parseUint64, quote, quoteRune } from './strconv.js';
import { bytesSize, formatDuration, parseDuration, ramInBytes } from './units.js';

export type FlagType =
  | 'bool'
  | 'string'
  | 'int'
  | 'int64'
  | 'uint'
  | 'uint16'
  | 'uint64'
  | 'float'
  | 'duration'
  | 'bytes'
  /** pflag StringArray: each occurrence appended as is. */
  | 'stringArray'
  /** pflag StringSlice: comma-separated (CSV), occurrences appended. */
  | 'stringSlice'
  /** docker's ListOpts: each occurrence appended (after `validate`); shown as "list". */
  | 'list'
  /** docker's MapOpts: `k=v` occurrences into a map (after `validate`). */
  | 'map'
  /** A custom value: `parse(raw, current)` returns the new value; shown as `typeName`. */
  | 'value';

export interface FlagSpec {
  name: string;
  /** One-letter shorthand, without the dash. */
  short?: string;
  type: FlagType;
  description: string;
  /** The value when the flag is not given (per type: false, "", 0, [], {} otherwise). */
  default?: unknown;
  hidden?: boolean;
  /** pflag MarkDeprecated: hidden, and using it warns "Flag --x has been deprecated, <this>". */
  deprecated?: string;
  /** pflag MarkShorthandDeprecated: using the shorthand warns "Flag shorthand -x has been deprecated, <this>". */
  shortDeprecated?: string;
  /** Store into another flag's value (docker's --net → --network, --dns-opt → --dns-option). */
  dest?: string;
  /** list/map/stringArray: checks (and may rewrite) each value; its Error message becomes the flag error's tail. */
  validate?: (value: string) => string;
  /** 'value' flags: parses one occurrence given the current value, returns the new value. */
  parse?: (value: string, current: unknown) => unknown;
  /** The type name help shows for 'value' flags ("decimal", "ulimit", "mount", …). */
  typeName?: string;
  /** pflag's DefValue as help shows it, when the type's own rendering of `default` is not right. */
  defaultText?: string;
  /** pflag NoOptDefVal: the value used when the flag is given without one (bool flags: "true"). */
  noOptDefault?: string;
  /** docker's "version" annotation: the Engine API version the flag needs. */
  minApiVersion?: string;
  /** docker's "ostype" annotation: the only daemon OS the flag works with ("windows"). */
  osType?: string;
  /** docker's "experimental" annotation: needs a daemon with experimental features. */
  experimental?: boolean;
}

export interface ParseOptions {
  /** false: flags stop at the first positional (docker run/exec/create: the rest is the container's command). */
  interspersed?: boolean;
}

/** A flag-syntax or flag-value error, with pflag's exact text (`unknown flag: --foo`, …). */
export class FlagError extends InvalidParameter {
  override name = 'FlagError';
}

/**
 * An error found after flag parsing that docker reports with a pointer to help (exit status 125):
 * "docker: <message>\n\nRun 'docker run --help' for more information" (see withHelpText).
 */
export class UsageError extends InvalidParameter {
  override name = 'UsageError';
}

const HELP_FLAG: FlagSpec = {
  name: 'help',
  short: 'h',
  type: 'bool',
  description: 'Print usage',
  hidden: true,
  shortDeprecated: 'use --help',
};

/** The flags a set really has: `specs` plus cobra's persistent --help (-h when it is free, deprecated there). */
export function effectiveFlags(specs: readonly FlagSpec[]): FlagSpec[] {
  if (specs.some((s) => s.name === 'help')) return [...specs];
  const shortTaken = specs.some((s) => s.short === 'h');
  const help: FlagSpec = shortTaken ? { ...HELP_FLAG, short: undefined, shortDeprecated: undefined } : HELP_FLAG;
  return [...specs, help];
}

export function zeroValue(spec: FlagSpec): unknown {
  switch (spec.type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'stringArray':
    case 'stringSlice':
    case 'list':
      return [];
    case 'map':
      return {};
    case 'value':
      return undefined;
    default:
      return 0;
  }
}

const initialValue = (spec: FlagSpec): unknown => {
  const d = spec.default !== undefined ? spec.default : zeroValue(spec);
  if (Array.isArray(d)) return [...d];
  if (d !== null && typeof d === 'object') return { ...d };
  return d;
};

/** The result of a parse: flag values (by destination name), what was set, and the positional arguments. */
export class ParsedFlags {
  readonly values = new Map<string, unknown>();
  /** Names of the flags given, in first-set order (pflag's orderedActual). */
  readonly setOrder: string[] = [];
  readonly args: string[] = [];
  /** Index into `args` where `--` was seen, or -1. */
  argsLenAtDash = -1;
  /** Deprecation notices pflag prints (docker prints them on stdout, before anything else). */
  readonly warnings: string[] = [];
  private readonly specs = new Map<string, FlagSpec>();

  constructor(specs: readonly FlagSpec[]) {
    for (const s of specs) {
      this.specs.set(s.name, s);
      const dest = s.dest ?? s.name;
      if (!this.values.has(dest) || !s.dest) this.values.set(dest, initialValue(s));
    }
  }

  private slot(name: string): unknown {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`flag --${name} is not declared`);
    return this.values.get(spec.dest ?? name);
  }

  /** Whether the set declares the flag. */
  has(name: string): boolean {
    return this.specs.has(name);
  }

  /** Whether the flag itself was given (pflag Changed; aliases sharing a destination count separately). */
  changed(name: string): boolean {
    if (!this.specs.has(name)) throw new Error(`flag --${name} is not declared`);
    return this.setOrder.includes(name);
  }

  /** pflag NFlag: how many distinct flags were given. */
  get nFlag(): number {
    return this.setOrder.length;
  }

  /** --help was given (and not as --help=false). */
  get help(): boolean {
    return this.specs.has('help') && this.slot('help') === true;
  }

  get<T>(name: string): T {
    return this.slot(name) as T;
  }

  bool(name: string): boolean {
    return this.slot(name) === true;
  }

  string(name: string): string {
    const v = this.slot(name);
    return typeof v === 'string' ? v : '';
  }

  number(name: string): number {
    const v = this.slot(name);
    return typeof v === 'number' ? v : 0;
  }

  list(name: string): string[] {
    const v = this.slot(name);
    return Array.isArray(v) ? (v as string[]) : [];
  }

  map(name: string): Record<string, string> {
    const v = this.slot(name);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  }

  /** Applies one value to a flag, as pflag's FlagSet.Set does (the error names the flag as help does). */
  set(spec: FlagSpec, raw: string): void {
    const dest = spec.dest ?? spec.name;
    try {
      this.values.set(dest, convert(spec, raw, this.values.get(dest), this.setOrder.includes(spec.name)));
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const flagName = spec.short && !spec.shortDeprecated ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
      throw new FlagError(`invalid argument ${quote(raw)} for ${quote(flagName)} flag: ${why}`, { cause: e });
    }
    if (!this.setOrder.includes(spec.name)) this.setOrder.push(spec.name);
    if (spec.deprecated) this.warnings.push(`Flag --${spec.name} has been deprecated, ${spec.deprecated}`);
  }
}

// One occurrence of a flag's value, combined with the value so far.
function convert(spec: FlagSpec, raw: string, current: unknown, alreadySet: boolean): unknown {
  const validated = () => (spec.validate ? spec.validate(raw) : raw);
  switch (spec.type) {
    case 'bool':
      return parseBool(raw);
    case 'string':
      return raw;
    case 'int':
    case 'int64':
      return parseInt64(raw, 0, 64);
    case 'uint':
    case 'uint64':
      return parseUint64(raw, 0, 64);
    case 'uint16':
      return parseUint64(raw, 0, 16);
    case 'float':
      return parseFloat64(raw);
    case 'duration':
      return parseDuration(raw);
    case 'bytes':
      return ramInBytes(raw);
    case 'stringArray':
    case 'list':
      return [...(alreadySet || spec.type === 'list' ? ((current as string[]) ?? []) : []), validated()];
    case 'stringSlice': {
      const parts = raw === '' ? [] : splitCsvLoose(raw);
      return alreadySet ? [...((current as string[]) ?? []), ...parts] : parts;
    }
    case 'map': {
      const v = validated();
      const i = v.indexOf('=');
      return {
        ...((current as Record<string, string>) ?? {}),
        [i < 0 ? v : v.slice(0, i)]: i < 0 ? '' : v.slice(i + 1),
      };
    }
    case 'value':
      if (!spec.parse) throw new Error(`flag --${spec.name} has no parser`);
      return spec.parse(raw, current);
  }
}

// pflag's readAsCSV for stringSlice (quotes honoured, no strict errors needed for the flags berth declares).
function splitCsvLoose(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Parses `argv` (without the command words) against `specs`, pflag's way. Throws FlagError with pflag's text:
 * `unknown flag: --foo`, `unknown shorthand flag: 'x' in -x`, `flag needs an argument: --name`,
 * `flag needs an argument: 'e' in -e`, `bad flag syntax: ---x`, `invalid argument "abc" for "-m, --memory" flag: …`.
 */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[], opts: ParseOptions = {}): ParsedFlags {
  const all = effectiveFlags(specs);
  const byName = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short).map((s) => [s.short!, s]));
  const out = new ParsedFlags(all);
  const interspersed = opts.interspersed ?? true;
  const noOpt = (s: FlagSpec) => s.noOptDefault ?? (s.type === 'bool' ? 'true' : undefined);

  const args = [...argv];
  while (args.length > 0) {
    const s = args.shift()!;
    if (s.length === 0 || s[0] !== '-' || s.length === 1) {
      out.args.push(s);
      if (!interspersed) {
        out.args.push(...args);
        return out;
      }
      continue;
    }
    if (s[1] === '-') {
      if (s.length === 2) {
        out.argsLenAtDash = out.args.length;
        out.args.push(...args);
        return out;
      }
      // --name[=value]
      const body = s.slice(2);
      if (body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${s}`);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      let value: string;
      if (eq >= 0) value = body.slice(eq + 1);
      else if (noOpt(spec) !== undefined) value = noOpt(spec)!;
      else if (args.length > 0) value = args.shift()!;
      else throw new FlagError(`flag needs an argument: ${s}`);
      out.set(spec, value);
      continue;
    }
    // -abc: each letter a flag; a flag that takes a value takes the rest of the word, or the next argument.
    let shorthands = s.slice(1);
    while (shorthands.length > 0) {
      const c = shorthands[0]!;
      const spec = byShort.get(c);
      if (!spec) throw new FlagError(`unknown shorthand flag: ${quoteRune(c)} in -${shorthands}`);
      let value: string;
      let rest = shorthands.slice(1);
      if (shorthands.length > 2 && shorthands[1] === '=') {
        value = shorthands.slice(2);
        rest = '';
      } else if (noOpt(spec) !== undefined) {
        value = noOpt(spec)!;
      } else if (shorthands.length > 1) {
        value = shorthands.slice(1);
        rest = '';
      } else if (args.length > 0) {
        value = args.shift()!;
      } else {
        throw new FlagError(`flag needs an argument: ${quoteRune(c)} in -${shorthands}`);
      }
      if (spec.shortDeprecated) {
        out.warnings.push(`Flag shorthand -${spec.short} has been deprecated, ${spec.shortDeprecated}`);
      }
      out.set(spec, value);
      shorthands = rest;
    }
  }
  return out;
}

/** pflag's DefValue for a flag: what help prints after "(default …)", before zero values are dropped. */
export function defaultText(spec: FlagSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  const d = spec.default;
  switch (spec.type) {
    case 'bool':
      return d === true ? 'true' : 'false';
    case 'string':
      return typeof d === 'string' ? d : '';
    case 'duration':
      return formatDuration(typeof d === 'number' ? d : 0);
    case 'bytes':
      return typeof d === 'number' && d !== 0 ? bytesSize(d) : '0';
    case 'stringArray':
    case 'stringSlice':
      return `[${Array.isArray(d) ? d.join(',') : ''}]`;
    case 'list':
      return Array.isArray(d) && d.length > 0 ? `[${d.join(' ')}]` : '';
    case 'map': {
      const m = (d ?? {}) as Record<string, string>;
      return `map[${Object.keys(m)
        .sort()
        .map((k) => `${k}:${m[k]}`)
        .join(' ')}]`;
    }
    case 'value':
      return '';
    default:
      return String(typeof d === 'number' ? d : 0);
  }
}

/** pflag's defaultIsZeroValue: whether help leaves the default out. */
export function defaultIsZero(spec: FlagSpec): boolean {
  const t = defaultText(spec);
  switch (spec.type) {
    case 'bool':
      return t === 'false';
    case 'duration':
      return t === '0' || t === '0s';
    case 'string':
    case 'list':
      return t === '';
    case 'stringArray':
    case 'stringSlice':
      return t === '[]';
    case 'int':
    case 'int64':
    case 'uint':
    case 'uint16':
    case 'uint64':
    case 'float':
      return t === '0';
    default:
      return t === 'false' || t === '<nil>' || t === '' || t === '0';
  }
}

/** The value-type word help prints after the flag name ("" for bools). */
export function typeWord(spec: FlagSpec): string {
  switch (spec.type) {
    case 'bool':
      return '';
    case 'int64':
      return 'int';
    case 'uint64':
      return 'uint';
    case 'stringSlice':
      return 'strings';
    case 'value':
      return spec.typeName ?? 'value';
    default:
      return spec.type;
  }
}

const versionLess = (a: string, b: string): boolean => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
};

/** What docker knows of the daemon when it checks flags: API version, OS and experimental mode. */
export interface DaemonTraits {
  apiVersion: string;
  osType: string;
  experimental: boolean;
}

/**
 * docker's areFlagsSupported: for each flag given (sorted by name) that the daemon cannot take, a line such as
 * `"--cpu-count" is only supported on a Docker daemon running on windows, but the Docker daemon is running on linux`
 * or `"--platform" requires API version 1.50, but the Docker daemon API version is 1.47`. Undefined when all is well
 * (docker prints the lines and exits with status 1).
 */
export function unsupportedFlags(
  parsed: ParsedFlags,
  specs: readonly FlagSpec[],
  daemon: DaemonTraits,
): string | undefined {
  const errs: string[] = [];
  const given = [...specs].filter((s) => parsed.setOrder.includes(s.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const f of given) {
    if (f.minApiVersion && versionLess(daemon.apiVersion, f.minApiVersion)) {
      errs.push(
        `"--${f.name}" requires API version ${f.minApiVersion}, but the Docker daemon API version is ${daemon.apiVersion}`,
      );
    } else if (f.osType && f.osType !== daemon.osType) {
      errs.push(
        `"--${f.name}" is only supported on a Docker daemon running on ${f.osType}, but the Docker daemon is running on ${daemon.osType}`,
      );
    } else if (f.experimental && !daemon.experimental) {
      errs.push(`"--${f.name}" is only supported on a Docker daemon with experimental features enabled`);
    }
  }
  return errs.length > 0 ? errs.join('\n') : undefined;
}
