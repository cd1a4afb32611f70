// RUN --mount values → typed mounts, with BuildKit's keys, defaults and messages.
import { InvalidParameter } from '../../errdefs/index.js';
import { csvFields } from './csv.js';
import type { Flags } from './types.js';

export type RunMountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export interface RunMount {
  type: RunMountType;
  target: string;
  source?: string;
  from?: string;
  id?: string;
  sharing?: 'shared' | 'private' | 'locked';
  readonly: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
  required?: boolean;
  /** tmpfs size in bytes. */
  size?: number;
  /** secret: expose as this environment variable instead of a file. */
  env?: string;
}

const TYPES = new Set<string>(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
const SHARING = new Set<string>(['shared', 'private', 'locked']);

const parseBool = (key: string, v: string): boolean => {
  if (/^(1|t|T|TRUE|true|True)$/.test(v)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(v)) return false;
  throw new Error(`invalid value for ${key}: ${v}`);
};

/** docker/go-units RAMInBytes: `64m`, `1g`, `512k`, `1024` (binary multiples). */
function ramInBytes(key: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(v.trim());
  if (!m) throw new Error(`invalid value for ${key}: ${v}`);
  const mult =
    { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

const parseUint = (v: string, radix: 8 | 10): number | undefined => {
  const re = radix === 8 ? /^[0-7]+$/ : /^\d+$/;
  if (!re.test(v)) return undefined;
  const n = Number.parseInt(v, radix);
  return n <= 0xffffffff ? n : undefined;
};

export function parseRunMount(value: string): RunMount {
  let fields: string[];
  try {
    fields = csvFields(value);
  } catch (e) {
    throw new InvalidParameter(e instanceof Error ? e.message : String(e));
  }
  const fail = (msg: string): never => {
    throw new InvalidParameter(msg);
  };
  let type: RunMountType = 'bind';
  let readonly = false;
  let roAuto = true;
  const m: Partial<RunMount> = {};
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const v = eq < 0 ? '' : field.slice(eq + 1);
    try {
      if (eq < 0) {
        if (key === 'readonly' || key === 'ro') [readonly, roAuto] = [true, false];
        else if (key === 'readwrite' || key === 'rw') [readonly, roAuto] = [false, false];
        else if (key === 'required') {
          if (type !== 'secret' && type !== 'ssh') fail(`unexpected key '${key}' for mount type '${type}'`);
          m.required = true;
        } else fail(`invalid field '${field}' must be a key=value pair`);
        continue;
      }
      switch (key) {
        case 'type':
          if (!TYPES.has(v.toLowerCase())) fail(`unsupported mount type "${v}"`);
          type = v.toLowerCase() as RunMountType;
          break;
        case 'from':
          m.from = v;
          break;
        case 'source':
        case 'src':
          m.source = v;
          break;
        case 'target':
        case 'dst':
        case 'destination':
          m.target = v;
          break;
        case 'readonly':
        case 'ro':
          readonly = parseBool(key, v);
          roAuto = false;
          break;
        case 'readwrite':
        case 'rw':
          readonly = !parseBool(key, v);
          roAuto = false;
          break;
        case 'required':
          if (type !== 'secret' && type !== 'ssh') fail(`unexpected key '${key}' for mount type '${type}'`);
          m.required = parseBool(key, v);
          break;
        case 'size':
          if (type !== 'tmpfs') fail(`unexpected key '${key}' for mount type '${type}'`);
          m.size = ramInBytes(key, v);
          break;
        case 'id':
          m.id = v;
          break;
        case 'sharing':
          if (!SHARING.has(v.toLowerCase())) fail(`unsupported sharing value "${v}"`);
          m.sharing = v.toLowerCase() as RunMount['sharing'];
          break;
        case 'mode':
          m.mode = parseUint(v, 8) ?? fail(`invalid value ${v} for mode`);
          break;
        case 'uid':
          m.uid = parseUint(v, 10) ?? fail(`invalid value ${v} for uid`);
          break;
        case 'gid':
          m.gid = parseUint(v, 10) ?? fail(`invalid value ${v} for gid`);
          break;
        case 'env':
          m.env = v;
          break;
        default:
          fail(`unexpected key '${key}' in '${field}'`);
      }
    } catch (e) {
      if (e instanceof InvalidParameter) throw e;
      throw new InvalidParameter(e instanceof Error ? e.message : String(e));
    }
  }
  const fileInfo = type === 'secret' || type === 'ssh' || type === 'cache';
  if (!fileInfo) {
    if (m.mode !== undefined) fail(`mode not allowed for "${type}" type mounts`);
    if (m.uid !== undefined) fail(`uid not allowed for "${type}" type mounts`);
    if (m.gid !== undefined) fail(`gid not allowed for "${type}" type mounts`);
  }
  if (roAuto) readonly = !(type === 'cache' || type === 'tmpfs');
  if (type === 'secret') {
    if (m.from !== undefined) fail('secret mount should not have a from');
    if (m.sharing !== undefined) fail('secret mount should not define sharing');
    if (!m.source && !m.target && !m.id) fail('invalid secret mount. one of source, target required');
    if (m.source && m.id) fail("both source and id can't be set");
  }
  if (m.sharing !== undefined && type !== 'cache') fail(`invalid cache sharing set for ${type} mount`);
  return withDefaults(type, readonly, m);
}

/** BuildKit's defaults: a cache's id is its target, its sharing `shared`; a secret's id comes from source or the
 *  target's base name and its target from the id; an ssh mount's id is `default`. */
function withDefaults(type: RunMountType, readonly: boolean, m: Partial<RunMount>): RunMount {
  const out: RunMount = { ...m, type, readonly, target: m.target ?? '' };
  switch (type) {
    case 'cache':
      if (!out.target) throw new InvalidParameter('mount target required'); // BuildKit: invalid mount target
      out.id = m.id || cleanPath(out.target);
      out.sharing = m.sharing ?? 'shared';
      break;
    case 'secret': {
      const id = m.source || m.id || baseName(m.target ?? '');
      out.id = id;
      delete out.source;
      if (!out.target && m.env === undefined) out.target = `/run/secrets/${baseName(id)}`;
      out.required = m.required ?? false;
      break;
    }
    case 'ssh':
      if (m.source) throw new InvalidParameter('ssh does not support source');
      out.id = m.id || 'default';
      out.required = m.required ?? false;
      break;
    default:
      if (!out.target) throw new InvalidParameter('mount target required');
  }
  return out;
}

function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!abs) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const s = (abs ? '/' : '') + parts.join('/');
  return s === '' ? '.' : s;
}
const baseName = (p: string): string => {
  const c = cleanPath(p);
  return c === '/' ? '/' : (c.split('/').pop() ?? c);
};

export function parseRunMounts(flags: Flags): RunMount[] {
  return (flags.mount ?? []).map(parseRunMount);
}
