// Help and usage text the way docker's cobra templates print them: "Usage:  docker run [OPTIONS] IMAGE …", the aliases,
// the sorted, aligned and wrapped flag list (pflag's FlagUsagesWrapped), and the flag / argument-count error texts.
import { defaultIsZero, defaultText, effectiveFlags, type FlagSpec, typeWord } from './parser.js';
import { quote } from './strconv.js';

/** What help needs to know about a command. */
export interface CommandHelp {
  /** The command path as invoked, binary first: "docker run", "docker container ls". */
  path: string;
  /** What follows the command name in cobra's Use: "[OPTIONS] IMAGE [COMMAND] [ARG...]". */
  usage: string;
  short: string;
  long?: string;
  /** The "Aliases:" line ("docker container run, docker run"); omitted when absent. */
  aliases?: string;
  example?: string;
  flags: readonly FlagSpec[];
}

/** cobra's UseLine: the path and the usage text. */
export const useLine = (path: string, usage: string): string => (usage ? `${path} ${usage}` : path);

// pflag's wrapN: split `s` at whitespace into a head of at most i (+slop) bytes and the rest.
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

// pflag's wrap: wrap `s` to width w with every line after the first indented by i.
function wrap(i: number, w: number, s: string): string {
  if (w === 0) return s.replaceAll('\n', `\n${' '.repeat(i)}`);
  let width = w - i;
  let r = '';
  if (width < 24) {
    i = 16;
    width = w - i;
    r += `\n${' '.repeat(i)}`;
  }
  if (width < 24) return s.replaceAll('\n', r);
  const slop = 5;
  width -= slop;
  let l: string;
  [l, s] = wrapN(width, slop, s);
  r += l.replaceAll('\n', `\n${' '.repeat(i)}`);
  while (s !== '') {
    let t: string;
    [t, s] = wrapN(width, slop, s);
    r += `\n${' '.repeat(i)}${t.replaceAll('\n', `\n${' '.repeat(i)}`)}`;
  }
  return r;
}

// pflag's UnquoteUsage: a `name` in back quotes becomes the value word.
function unquoteUsage(spec: FlagSpec): [string, string] {
  const u = spec.description;
  const i = u.indexOf('`');
  if (i >= 0) {
    const j = u.indexOf('`', i + 1);
    if (j > i) {
      const name = u.slice(i + 1, j);
      return [name, u.slice(0, i) + name + u.slice(j + 1)];
    }
  }
  return [typeWord(spec), u];
}

/**
 * pflag's FlagUsagesWrapped(cols): visible flags sorted by name, "  -s, --signal string   Signal to send…", wrapped
 * to `cols` columns (docker passes the terminal width minus one; 0 = no wrapping).
 */
export function flagUsages(specs: readonly FlagSpec[], cols = 79): string {
  const visible = [...specs]
    .filter((s) => !s.hidden && !s.deprecated)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines: string[] = [];
  let maxlen = 0;
  for (const spec of visible) {
    let line = spec.short && !spec.shortDeprecated ? `  -${spec.short}, --${spec.name}` : `      --${spec.name}`;
    const [varname, usage] = unquoteUsage(spec);
    if (varname) line += ` ${varname}`;
    if (spec.noOptDefault !== undefined) {
      if (spec.type === 'string') line += `[="${spec.noOptDefault}"]`;
      else if (spec.type !== 'bool' || spec.noOptDefault !== 'true') line += `[=${spec.noOptDefault}]`;
    }
    line += '\0';
    maxlen = Math.max(maxlen, line.length);
    line += usage;
    if (!defaultIsZero(spec)) {
      line += spec.type === 'string' ? ` (default ${quote(defaultText(spec))})` : ` (default ${defaultText(spec)})`;
    }
    lines.push(line);
  }
  let out = '';
  for (const line of lines) {
    const sidx = line.indexOf('\0');
    const spacing = ' '.repeat(maxlen - sidx);
    out += `${line.slice(0, sidx)} ${spacing} ${wrap(maxlen + 2, cols, line.slice(sidx + 1))}\n`;
  }
  return out;
}

/**
 * A command's help as `docker <cmd> --help` prints it (docker's usage template): Usage, description, Aliases,
 * Examples, Options. `width` is the terminal width (docker uses 80 when it has none).
 */
export function renderHelp(cmd: CommandHelp, width = 80): string {
  let out = `Usage:  ${useLine(cmd.path, cmd.usage)}\n\n${(cmd.long || cmd.short).trim()}`;
  if (cmd.aliases) out += `\n\nAliases:\n  ${cmd.aliases}`;
  if (cmd.example) out += `\n\nExamples:\n${cmd.example}`;
  const flags = effectiveFlags(cmd.flags);
  if (flags.some((f) => !f.hidden && !f.deprecated)) {
    out += `\n\nOptions:\n${flagUsages(flags, width - 1).trimEnd()}`;
  }
  return `${out}\n`;
}

/**
 * docker's FlagErrorFunc text for a FlagError (exit status 125):
 * "unknown flag: --foo\n\nUsage:  docker run [OPTIONS] …\n\nRun 'docker run --help' for more information".
 */
export function flagErrorText(path: string, usage: string, message: string): string {
  return `${message}\n\nUsage:  ${useLine(path, usage)}\n\nRun '${path} --help' for more information`;
}

/**
 * The CLI's withHelp for errors found after flag parsing (bad -p, --restart, env files…; exit status 125):
 * "docker: <message>\n\nRun 'docker run --help' for more information".
 */
export function withHelpText(path: string, message: string): string {
  const bin = path.split(' ')[0];
  return `${bin}: ${message}\n\nRun '${path} --help' for more information`;
}

/** How many positional arguments a command takes (docker's cli.NoArgs, RequiresMinArgs, …). */
export type ArgsRule =
  | { kind: 'none' }
  | { kind: 'any' }
  | { kind: 'min'; min: number }
  | { kind: 'max'; max: number }
  | { kind: 'exact'; n: number }
  | { kind: 'range'; min: number; max: number };

const plural = (word: string, n: number) => (n === 1 ? word : `${word}s`);

/**
 * Checks the positional-argument count as docker does and returns its error text (exit status 1), or undefined.
 * `subcommands`: the command has subcommands (NoArgs then reports an unknown command).
 */
export function checkArgs(
  rule: ArgsRule,
  path: string,
  usage: string,
  args: readonly string[],
  subcommands = false,
): string | undefined {
  const bin = path.split(' ')[0];
  const line = useLine(path, usage);
  const n = args.length;
  switch (rule.kind) {
    case 'any':
      return undefined;
    case 'none':
      if (n === 0) return undefined;
      if (subcommands) {
        return `${bin}: unknown command: ${path} ${args[0]}\n\nUsage:  ${line}\n\nRun '${path} --help' for more information`;
      }
      return `${bin}: '${path}' accepts no arguments\n\nUsage:  ${line}\n\nRun '${path} --help' for more information`;
    case 'min':
      if (n >= rule.min) return undefined;
      return `${bin}: '${path}' requires at least ${rule.min} ${plural('argument', rule.min)}\n\nUsage:  ${line}\n\nSee '${path} --help' for more information`;
    case 'max':
      if (n <= rule.max) return undefined;
      // "SRun" is docker's own typo, kept so output matches.
      return `${bin}: '${path}' requires at most ${rule.max} ${plural('argument', rule.max)}\n\nUsage:  ${line}\n\nSRun '${path} --help' for more information`;
    case 'exact':
      if (n === rule.n) return undefined;
      return `${bin}: '${path}' requires ${rule.n} ${plural('argument', rule.n)}\n\nUsage:  ${line}\n\nRun '${path} --help' for more information`;
    case 'range':
      if (n >= rule.min && n <= rule.max) return undefined;
      return `${bin}: '${path}' requires at least ${rule.min} and at most ${rule.max} ${plural('argument', rule.max)}\n\nUsage:  ${line}\n\nRun '${path} --help' for more information`;
  }
}
