// `docker import --change` / `docker commit --change`: Dockerfile instructions applied to a container config
// (moby's BuildFromConfig). Only the instructions Docker allows there are accepted, with Docker's error texts; word
// processing (quotes, escapes, $VAR / ${VAR:-x} / ${VAR:+x} expansion from the config's Env) follows the Dockerfile
// rules for the instructions that expand variables.
import { InvalidParameter } from '../../errdefs/index.js';
import type { ContainerConfig, HealthConfig } from '../types.js';

const VALID = new Set([
  'cmd',
  'entrypoint',
  'healthcheck',
  'env',
  'expose',
  'label',
  'onbuild',
  'stopsignal',
  'user',
  'volume',
  'workdir',
]);

const invalid = (msg: string) => new InvalidParameter(msg);

/** Joins continuation lines and drops comments and blank lines: one string per instruction. */
function instructions(changes: readonly string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of changes.join('\n').split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (pending === '' && /^\s*(#|$)/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, '');
      continue;
    }
    out.push((pending + line).trim());
    pending = '';
  }
  if (pending.trim() !== '') out.push(pending.trim());
  return out;
}

type Env = Map<string, string>;

const envMap = (env: readonly string[] | null | undefined): Env => {
  const m = new Map<string, string>();
  for (const kv of env ?? []) {
    const i = kv.indexOf('=');
    m.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
  }
  return m;
};

/** Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}` (and `-`/`+` without the colon). */
function expandVar(s: string, i: number, env: Env): [string, number] {
  if (s[i + 1] === '{') {
    const close = s.indexOf('}', i + 2);
    if (close < 0) throw invalid(`missing '}' in ${JSON.stringify(s)}`);
    const body = s.slice(i + 2, close);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])(.*))?$/s.exec(body);
    if (!m) throw invalid(`failed to process ${JSON.stringify(s)}: unsupported modifier in \${${body}}`);
    const [, name, op, word] = m;
    const colon = body.includes(`:${op}`);
    const set = env.has(name!) && (!colon || env.get(name!) !== '');
    let v = env.get(name!) ?? '';
    if (op === '-' && !set) v = word ?? '';
    if (op === '+') v = set ? (word ?? '') : '';
    return [v, close + 1];
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1));
  if (!m) return ['$', i + 1];
  return [env.get(m[0]) ?? '', i + 1 + m[0].length];
}

/**
 * Splits `s` into words on unquoted whitespace, removing quotes and escapes and (when `env` is given) expanding
 * variables outside single quotes: the Dockerfile shell-lexer rules for ENV, LABEL, EXPOSE, VOLUME, ...
 */
export function words(s: string, env?: Env): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === '\\' && i + 1 < s.length) {
      cur += s[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw invalid(`unexpected end of statement while looking for matching single-quote`);
      cur += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$'.includes(s[i + 1]!)) {
          cur += s[i + 1];
          i += 2;
        } else if (s[i] === '$' && env) {
          const [v, next] = expandVar(s, i, env);
          cur += v;
          i = next;
        } else cur += s[i++];
      }
      if (i >= s.length) throw invalid(`unexpected end of statement while looking for matching double-quote`);
      i++;
    } else if (c === '$' && env) {
      const [v, next] = expandVar(s, i, env);
      cur += v;
      i = next;
    } else {
      cur += c;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** A JSON array of strings (exec form), or undefined when `s` is not one (shell form). */
function jsonArray(s: string): string[] | undefined {
  if (!s.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(s);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // not JSON: shell form
  }
  return undefined;
}

const commandForm = (args: string): string[] => jsonArray(args) ?? ['/bin/sh', '-c', args];

/** `key=value` pairs (or the legacy `key value` form when there is no `=` in the first word). */
function keyValues(name: string, args: string, env: Env): [string, string][] {
  if (args === '') throw invalid(`${name} requires at least one argument`);
  const first = /^\S+/.exec(args)![0];
  if (!first.includes('=')) {
    const rest = args.slice(first.length).trim();
    if (rest === '') throw invalid(`${name} must have two arguments`);
    return [[words(first, env).join(''), words(rest, env).join(' ')]];
  }
  return words(args, env).map((w) => {
    const i = w.indexOf('=');
    if (i < 0) throw invalid(`${name} names can not be blank`);
    if (i === 0) throw invalid(`${name} names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration, in nanoseconds. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  const neg = s.startsWith('-');
  const body = s.replace(/^[-+]/, '');
  let total = 0;
  let consumed = 0;
  for (const m of body.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed = m.index + m[0].length;
  }
  if (body === '' || consumed !== body.length) throw invalid(`time: invalid duration ${JSON.stringify(s)}`);
  return Math.round(neg ? -total : total);
}

const SIGNALS = new Set(
  'ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV STKFLT STOP SYS TERM TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ'.split(
    ' ',
  ),
);

function checkSignal(s: string): void {
  const n = Number(s);
  if (/^\d+$/.test(s) && n > 0 && n <= 64) return;
  const name = s.toUpperCase().replace(/^SIG/, '');
  if (SIGNALS.has(name) || /^RTM(IN|AX)([+-]\d+)?$/.test(name)) return;
  throw invalid(`Invalid signal: ${s}`);
}

function exposedPorts(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    const [range = '', proto = 'tcp', extra] = a.split('/');
    if (extra !== undefined || !['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) {
      throw invalid(`invalid proto: ${proto}`);
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    const lo = m ? Number(m[1]) : Number.NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || lo > 65535 || hi > 65535 || hi < lo) throw invalid(`invalid containerPort: ${range}`);
    for (let p = lo; p <= hi; p++) out.push(`${p}/${proto.toLowerCase()}`);
  }
  return out;
}

function healthcheck(args: string): HealthConfig {
  const flags: Record<string, string> = {};
  let rest = args;
  for (;;) {
    const m = /^--([a-z-]+)=(\S*)\s*/.exec(rest);
    if (!m) break;
    flags[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  const typ = /^\S*/.exec(rest)![0];
  const cmd = rest.slice(typ.length).trim();
  if (typ.toUpperCase() === 'NONE') {
    if (cmd !== '' || Object.keys(flags).length > 0) throw invalid('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (typ.toUpperCase() !== 'CMD')
    throw invalid(`Unknown type ${JSON.stringify(typ.toUpperCase())} in HEALTHCHECK (try CMD)`);
  if (cmd === '') throw invalid('Missing command after HEALTHCHECK CMD');
  const exec = jsonArray(cmd);
  const h: HealthConfig = { Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', cmd] };
  const durations: [string, 'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval'][] = [
    ['interval', 'Interval'],
    ['timeout', 'Timeout'],
    ['start-period', 'StartPeriod'],
    ['start-interval', 'StartInterval'],
  ];
  for (const [flag, field] of durations) {
    const v = flags[flag];
    if (v === undefined || v === '') continue;
    const d = parseDuration(v);
    if (d === 0) continue;
    if (d < 1e6) throw invalid(`Interval "${flag}" cannot be less than 1ms`);
    h[field] = d;
  }
  for (const f of Object.keys(flags)) {
    if (!['interval', 'timeout', 'start-period', 'start-interval', 'retries'].includes(f)) {
      throw invalid(`Unknown flag: ${f}`);
    }
  }
  if (flags.retries !== undefined && flags.retries !== '') {
    const r = Number(flags.retries);
    if (!Number.isInteger(r))
      throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(flags.retries)}: invalid syntax`);
    if (r < 0) throw invalid('--retries cannot be negative');
    if (r > 0) h.Retries = r;
  }
  return h;
}

/**
 * Applies `changes` to a copy of `base` and returns it. InvalidParameter "<instruction> is not a valid change
 * command" for anything but CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME and
 * WORKDIR, and the instruction's own error for bad arguments.
 */
export function applyChanges(changes: readonly string[], base: ContainerConfig = {}): ContainerConfig {
  const config: ContainerConfig = structuredClone(base);
  let cmdSet = false;
  for (const line of instructions(changes)) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    const instruction = m[1]!.toLowerCase();
    const args = m[2]!.trim();
    if (!VALID.has(instruction)) throw invalid(`${instruction} is not a valid change command`);
    const NAME = instruction.toUpperCase();
    const env = envMap(config.Env);
    switch (instruction) {
      case 'cmd':
        config.Cmd = commandForm(args);
        cmdSet = true;
        break;
      case 'entrypoint':
        config.Entrypoint = jsonArray(args) ?? (args === '' ? [] : ['/bin/sh', '-c', args]);
        // A new ENTRYPOINT drops an inherited CMD unless this build set one.
        if (!cmdSet) config.Cmd = null;
        break;
      case 'env': {
        const list = [...(config.Env ?? [])];
        for (const [k, v] of keyValues(NAME, args, env)) {
          const i = list.findIndex((e) => e === k || e.startsWith(`${k}=`));
          if (i >= 0) list[i] = `${k}=${v}`;
          else list.push(`${k}=${v}`);
          env.set(k, v);
        }
        config.Env = list;
        break;
      }
      case 'label': {
        const labels = { ...(config.Labels ?? {}) };
        for (const [k, v] of keyValues(NAME, args, env)) labels[k] = v;
        config.Labels = labels;
        break;
      }
      case 'workdir': {
        if (args === '') throw invalid('WORKDIR requires exactly one argument');
        const dir = words(args, env).join(' ');
        const joined = dir.startsWith('/') ? dir : `${config.WorkingDir || '/'}/${dir}`;
        config.WorkingDir = `/${joined
          .split('/')
          .reduce<string[]>((acc, c) => {
            if (c === '' || c === '.') return acc;
            if (c === '..') acc.pop();
            else acc.push(c);
            return acc;
          }, [])
          .join('/')}`;
        break;
      }
      case 'user': {
        const w = words(args, env);
        if (w.length !== 1) throw invalid('USER requires exactly one argument');
        config.User = w[0]!;
        break;
      }
      case 'expose': {
        const w = words(args, env);
        if (w.length === 0) throw invalid('EXPOSE requires at least one argument');
        const ports = { ...(config.ExposedPorts ?? {}) };
        for (const p of exposedPorts(w)) ports[p] = {};
        config.ExposedPorts = ports;
        break;
      }
      case 'volume': {
        const list = jsonArray(args) ?? words(args, env);
        if (list.length === 0) throw invalid('VOLUME requires at least one argument');
        const volumes = { ...(config.Volumes ?? {}) };
        for (const v of list) {
          if (v.trim() === '') throw invalid('VOLUME specified can not be an empty string');
          volumes[v.trim()] = {};
        }
        config.Volumes = volumes;
        break;
      }
      case 'stopsignal': {
        const w = words(args, env);
        if (w.length !== 1) throw invalid('STOPSIGNAL requires exactly one argument');
        checkSignal(w[0]!);
        config.StopSignal = w[0]!;
        break;
      }
      case 'healthcheck':
        if (args === '') throw invalid('HEALTHCHECK requires an argument');
        config.Healthcheck = healthcheck(args);
        break;
      case 'onbuild': {
        const trigger = (/^\S+/.exec(args)?.[0] ?? '').toUpperCase();
        if (trigger === '') throw invalid('ONBUILD requires at least one argument');
        if (trigger === 'ONBUILD') throw invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (trigger === 'FROM' || trigger === 'MAINTAINER') {
          throw invalid(`${trigger} isn't allowed as an ONBUILD trigger`);
        }
        config.OnBuild = [...(config.OnBuild ?? []), args];
        break;
      }
    }
  }
  return config;
}
