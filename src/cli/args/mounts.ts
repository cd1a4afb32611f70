// -v/--volume, --tmpfs and --mount as the docker CLI reads them. -v specs are only split client-side into binds (any
// spec with a source, named volumes included — the daemon decides) and anonymous volumes; --mount is parsed in full.
import { isAbsolute, resolve } from 'node:path';
import { InvalidParameter } from '../../errdefs/index.js';
import { parseBool, parseUint64 } from './strconv.js';
import { ramInBytes } from './units.js';
import { csvOrThrow } from './csv.js';
import type { MountSpec } from './wire.js';

const PROPAGATIONS = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

/** A -v spec as compose's loader.ParseVolume reads it. */
export interface VolumeSpec {
  /** "bind" when the source looks like a path (., /, ~, a drive or \\), else "volume". */
  type: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly: boolean;
  /** The raw comma-separated mode field (e.g. "ro,z"), "" when absent. */
  mode: string;
  propagation?: string;
  noCopy?: boolean;
}

const isWindowsDrive = (buffer: string[], ch: string): boolean =>
  ch === ':' && buffer.length === 1 && /\p{L}/u.test(buffer[0]!);

function isFilePath(source: string): boolean {
  if ('./~'.includes(source[0]!)) return true;
  const chars = [...source];
  if (chars.length === 1) return false;
  if (source.startsWith('\\\\')) return true;
  return isWindowsDrive([chars[0]!], chars[1]!);
}

/**
 * compose loader.ParseVolume: `[source:]target[:mode]`. Errors: `invalid empty volume spec`, `invalid spec: x: too
 * many colons`, `invalid spec: x: empty section between colons`.
 */
export function parseVolumeSpec(spec: string): VolumeSpec {
  const vol: VolumeSpec = { type: 'volume', source: '', target: '', readOnly: false, mode: '' };
  const chars = [...spec];
  const bytes = Buffer.byteLength(spec, 'utf8');
  if (bytes === 0) throw new InvalidParameter('invalid empty volume spec');
  if (bytes <= 2) {
    vol.target = spec;
    return vol;
  }
  let buffer: string[] = [];
  const END = '\0end';
  for (const ch of [...chars, END]) {
    if (isWindowsDrive(buffer, ch)) {
      buffer.push(ch);
    } else if (ch === ':' || ch === END) {
      const str = buffer.join('');
      let err: string | undefined;
      if (buffer.length === 0) err = 'empty section between colons';
      else if (vol.source === '' && ch === END) vol.target = str;
      else if (vol.source === '') vol.source = str;
      else if (vol.target === '') vol.target = str;
      else if (ch === ':') err = 'too many colons';
      else {
        vol.mode = str;
        for (const option of str.split(',')) {
          if (option === 'ro') vol.readOnly = true;
          else if (option === 'rw') vol.readOnly = false;
          else if (option === 'nocopy') vol.noCopy = true;
          else if (PROPAGATIONS.includes(option)) vol.propagation = option;
        }
      }
      if (err) throw new InvalidParameter(`invalid spec: ${spec}: ${err}`);
      buffer = [];
    } else {
      buffer.push(ch);
    }
  }
  vol.type = vol.source !== '' && isFilePath(vol.source) ? 'bind' : 'volume';
  return vol;
}

/**
 * What the CLI does with the -v list: specs with a source become HostConfig.Binds (a relative "./x" host path made
 * absolute against `cwd`), the rest Config.Volumes. Duplicates collapse, as through docker's map.
 */
export function splitVolumes(
  specs: string[],
  cwd: string = process.cwd(),
): { binds: string[] | null; volumes: Record<string, Record<string, never>> } {
  const volumes: Record<string, Record<string, never>> = {};
  for (const s of specs) volumes[s] = {};
  const binds: string[] = [];
  for (const bind of Object.keys(volumes)) {
    const parsed = parseVolumeSpec(bind);
    if (parsed.source === '') continue;
    let toBind = bind;
    if (parsed.type === 'bind') {
      const i = bind.indexOf(':');
      if (i >= 0) {
        let host = bind.slice(0, i);
        if (!isAbsolute(host) && host.startsWith('.')) host = resolve(cwd, host);
        toBind = `${host}:${bind.slice(i + 1)}`;
      }
    }
    binds.push(toBind);
    delete volumes[bind];
  }
  return { binds: binds.length > 0 ? binds : null, volumes };
}

/** --tmpfs values → HostConfig.Tmpfs ("/run:rw,size=64m" → {"/run": "rw,size=64m"}); options are the daemon's. */
export function parseTmpfs(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of values) {
    const i = t.indexOf(':');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

/**
 * opts.MountOpt (a relative source is resolved against `cwd` when given; toCreateRequest does it otherwise):
 * `type=bind,source=/a,target=/b,readonly`, `type=volume,src=v,dst=/d,volume-nocopy`,
 * `type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770`. Errors are the CLI's (`target is required`, …).
 */
export function parseMount(value: string, cwd?: string): MountSpec {
  const fields = csvOrThrow(value);
  const m: MountSpec = { Type: 'volume', Target: '' };
  const volumeOptions = () => {
    m.VolumeOptions ??= { Labels: {} };
    m.VolumeOptions.DriverConfig ??= {};
    return m.VolumeOptions;
  };
  const bindOptions = () => {
    m.BindOptions ??= {};
    return m.BindOptions;
  };
  const tmpfsOptions = () => {
    m.TmpfsOptions ??= {};
    return m.TmpfsOptions;
  };
  const setOnMap = (target: Record<string, string>, v: string) => {
    const i = v.indexOf('=');
    const k = i < 0 ? v : v.slice(0, i);
    if (k !== '') target[k] = i < 0 ? '' : v.slice(i + 1);
  };
  const bool = (key: string, val: string, msg = `invalid value for ${key}: ${val}`): boolean => {
    try {
      return parseBool(val);
    } catch {
      throw new InvalidParameter(msg);
    }
  };

  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') m.ReadOnly = true;
      else if (key === 'volume-nocopy') volumeOptions().NoCopy = true;
      else if (key === 'bind-nonrecursive') bindOptions().NonRecursive = true;
      else throw new InvalidParameter(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        m.Type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        m.Source = cwd !== undefined ? absoluteSource(val, cwd) : val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.Target = val;
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = bool(key, val);
        break;
      case 'consistency':
        m.Consistency = val.toLowerCase();
        break;
      case 'bind-propagation':
        bindOptions().Propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bindOptions().NonRecursive = bool(key, val);
        break;
      case 'bind-recursive':
        if (val === 'disabled') bindOptions().NonRecursive = true;
        else if (val === 'writable') bindOptions().ReadOnlyNonRecursive = true;
        else if (val === 'readonly') bindOptions().ReadOnlyForceRecursive = true;
        else if (val !== 'enabled') {
          throw new InvalidParameter(
            `invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`,
          );
        }
        break;
      case 'volume-subpath':
        volumeOptions().Subpath = val;
        break;
      case 'volume-nocopy':
        volumeOptions().NoCopy = bool(key, val, `invalid value for volume-nocopy: ${val}`);
        break;
      case 'volume-label':
        {
          const vo = volumeOptions();
          vo.Labels ??= {};
          setOnMap(vo.Labels, val);
        }
        break;
      case 'volume-driver':
        volumeOptions().DriverConfig!.Name = val;
        break;
      case 'volume-opt': {
        const dc = volumeOptions().DriverConfig!;
        dc.Options ??= {};
        setOnMap(dc.Options, val);
        break;
      }
      case 'image-subpath':
        m.ImageOptions ??= {};
        m.ImageOptions.Subpath = val;
        break;
      case 'tmpfs-size':
        try {
          tmpfsOptions().SizeBytes = ramInBytes(val);
        } catch {
          throw new InvalidParameter(`invalid value for ${key}: ${val}`);
        }
        break;
      case 'tmpfs-mode':
        try {
          tmpfsOptions().Mode = parseUint64(val, 8, 32);
        } catch {
          throw new InvalidParameter(`invalid value for ${key}: ${val}`);
        }
        break;
      default:
        throw new InvalidParameter(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (m.Type === '') throw new InvalidParameter('type is required');
  if (m.Target === '') throw new InvalidParameter('target is required');
  const mix = (what: string) => new InvalidParameter(`cannot mix '${what}-*' options with mount type '${m.Type}'`);
  if (m.VolumeOptions && m.Type !== 'volume') throw mix('volume');
  if (m.ImageOptions && m.Type !== 'image') throw mix('image');
  if (m.BindOptions && m.Type !== 'bind') throw mix('bind');
  if (m.TmpfsOptions && m.Type !== 'tmpfs') throw mix('tmpfs');
  if (m.BindOptions?.ReadOnlyNonRecursive && !m.ReadOnly) {
    throw new InvalidParameter("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  }
  if (m.BindOptions?.ReadOnlyForceRecursive) {
    if (!m.ReadOnly) {
      throw new InvalidParameter("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    }
    if (m.BindOptions.Propagation !== 'rprivate') {
      throw new InvalidParameter(
        "option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction",
      );
    }
  }
  return m;
}

const sortedMap = (m: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, m[k]!]),
  );

/** A relative "./x" mount source made absolute against `cwd`, as the CLI does with its working directory. */
export const absoluteSource = (src: string, cwd: string): string =>
  !isAbsolute(src) && src.startsWith('.') ? resolve(cwd, src) : src;

/**
 * A --mount value serialised as Go's json.Marshal of mount.Mount does (omitempty fields left out), so the body
 * matches the CLI's byte for byte.
 */
export function mountToWire(m: MountSpec): MountSpec {
  const out: MountSpec = { Type: m.Type } as MountSpec;
  if (m.Source) out.Source = m.Source;
  (out as { Target: string }).Target = m.Target;
  if (m.ReadOnly) out.ReadOnly = true;
  if (m.Consistency) out.Consistency = m.Consistency;
  if (m.BindOptions) {
    const b = m.BindOptions;
    out.BindOptions = {
      ...(b.Propagation ? { Propagation: b.Propagation } : {}),
      ...(b.NonRecursive ? { NonRecursive: true } : {}),
      ...(b.CreateMountpoint ? { CreateMountpoint: true } : {}),
      ...(b.ReadOnlyNonRecursive ? { ReadOnlyNonRecursive: true } : {}),
      ...(b.ReadOnlyForceRecursive ? { ReadOnlyForceRecursive: true } : {}),
    };
  }
  if (m.VolumeOptions) {
    const v = m.VolumeOptions;
    out.VolumeOptions = {
      ...(v.NoCopy ? { NoCopy: true } : {}),
      ...(v.Labels && Object.keys(v.Labels).length > 0 ? { Labels: sortedMap(v.Labels) } : {}),
      ...(v.Subpath ? { Subpath: v.Subpath } : {}),
      ...(v.DriverConfig
        ? {
            DriverConfig: {
              ...(v.DriverConfig.Name ? { Name: v.DriverConfig.Name } : {}),
              ...(v.DriverConfig.Options && Object.keys(v.DriverConfig.Options).length > 0
                ? { Options: sortedMap(v.DriverConfig.Options) }
                : {}),
            },
          }
        : {}),
    };
  }
  if (m.ImageOptions) out.ImageOptions = m.ImageOptions.Subpath ? { Subpath: m.ImageOptions.Subpath } : {};
  if (m.TmpfsOptions) {
    out.TmpfsOptions = {
      ...(m.TmpfsOptions.SizeBytes ? { SizeBytes: m.TmpfsOptions.SizeBytes } : {}),
      ...(m.TmpfsOptions.Mode ? { Mode: m.TmpfsOptions.Mode } : {}),
    };
  }
  return out;
}
