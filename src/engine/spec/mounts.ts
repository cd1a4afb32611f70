// The container's mounts, resolved once at create as moby's registerMountPoints: --volumes-from (the other
// container's binds and volumes), Binds ("/host:/ctr[:opts]", "name:/ctr[:opts]"), Mounts (type bind/volume/tmpfs),
// Tmpfs, then every VOLUME of the image and of the request not mounted otherwise, an anonymous volume each.
import type { HostConfig, MountPoint, MountRequest } from '../../api/index.js';
import { InvalidParameter, NotFound } from '../../errdefs/index.js';
import type { Mount } from '../../runtime/spec.js';
import { validateVolumeName } from '../../volume/index.js';

export interface ResolvedMounts {
  oci: Mount[];
  /** What inspect shows under Mounts. */
  points: MountPoint[];
  /** Host directories Docker creates for a missing bind source (only for `Binds`, never for `Mounts`). */
  createSources: string[];
  /** Bind sources of `Mounts`, which must exist (checked at create). */
  mustExist: string[];
  /** The volumes mounted, for their references, copy-up and `rm -v`. */
  volumes: VolumeMount[];
}

/** A volume mount of the container. */
export interface VolumeMount {
  name: string;
  dest: string;
  /** No source was named (`-v /data`, an image VOLUME, `--mount type=volume` without source): `rm -v` removes it. */
  anonymous: boolean;
  /** Copy-up skipped (`nocopy`, `volume-nocopy`, volumes from another container). */
  noCopy: boolean;
  readOnly: boolean;
  /** For a volume made by this create (`--mount`'s volume-label, volume-opt and volume-driver). */
  labels?: Record<string, string>;
  options?: Record<string, string>;
  driver?: string;
}

/** What resolving needs from the engine: volume paths and names, the image's VOLUMEs, other containers' mounts. */
export interface MountContext {
  volumePath(name: string): string;
  newVolumeName(): string;
  /** Config.Volumes: the image's VOLUMEs and the request's anonymous `-v /path`. */
  configVolumes?: readonly string[];
  /** A container's mounts, for --volumes-from (NotFound when there is none). */
  mountsOf?(ref: string): { points: MountPoint[]; volumes: VolumeMount[] };
}

const NO_VOLUMES: MountContext = {
  volumePath: () => {
    throw new InvalidParameter('volumes need the volume service');
  },
  newVolumeName: () => {
    throw new InvalidParameter('volumes need the volume service');
  },
};

const MODE_OPTS = new Set([
  'ro',
  'rw',
  'z',
  'Z',
  'nocopy',
  'shared',
  'rshared',
  'slave',
  'rslave',
  'private',
  'rprivate',
]);
const PROPAGATIONS = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);

function checkDestination(dest: string, spec: string): void {
  if (!dest.startsWith('/')) {
    throw new InvalidParameter(
      `invalid volume specification: '${spec}': invalid mount config for type "bind": invalid mount path: '${dest}' mount path must be absolute`,
    );
  }
  if (dest === '/') {
    throw new InvalidParameter(
      `invalid volume specification: '${spec}': invalid mount config for type "bind": invalid specification: destination can't be '/'`,
    );
  }
}

function bindMount(source: string, dest: string, readOnly: boolean, propagation: string): Mount {
  return { destination: dest, type: 'bind', source, options: ['rbind', readOnly ? 'ro' : 'rw', propagation] };
}

function parseBind(spec: string): {
  source: string;
  dest: string;
  readOnly: boolean;
  propagation: string;
  mode: string;
} {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw new InvalidParameter(`invalid volume specification: '${spec}'`);
  const [source = '', dest = '', mode = ''] = parts;
  checkDestination(dest, spec);
  const opts = mode === '' ? [] : mode.split(',');
  for (const o of opts) {
    if (!MODE_OPTS.has(o)) throw new InvalidParameter(`invalid mode: ${mode}`);
  }
  return {
    source,
    dest,
    readOnly: opts.includes('ro'),
    propagation: opts.find((o) => PROPAGATIONS.has(o)) ?? 'rprivate',
    mode,
  };
}

/** Docker's --tmpfs options ("rw,size=64m,mode=1777") → mount options, with Docker's defaults. */
function tmpfsOptions(opts: string): string[] {
  const out = ['nosuid', 'nodev', 'noexec'];
  for (const o of opts.split(',').filter(Boolean)) {
    if (o === 'exec') {
      out.splice(out.indexOf('noexec'), 1);
      continue;
    }
    if (o === 'suid' || o === 'dev') {
      out.splice(out.indexOf(`no${o}`), 1);
      continue;
    }
    out.push(o);
  }
  return out;
}

export function resolveMounts(hc: HostConfig, ctx: MountContext = NO_VOLUMES): ResolvedMounts {
  // Destination → mount; --volumes-from's come first and explicit mounts replace them, as in moby.
  const byDest = new Map<string, { oci: Mount; point: MountPoint; volume?: VolumeMount; from: boolean }>();
  const createSources: string[] = [];
  const mustExist: string[] = [];
  const clean = (dest: string) => dest.replace(/\/+$/, '') || '/';
  const claim = (dest: string) => {
    const have = byDest.get(clean(dest));
    if (have && !have.from) throw new InvalidParameter(`Duplicate mount point: ${clean(dest)}`);
  };
  const put = (dest: string, oci: Mount, point: MountPoint, volume?: VolumeMount, from = false) =>
    byDest.set(clean(dest), { oci, point, ...(volume ? { volume } : {}), from });
  const volume = (v: VolumeMount, mode: string, propagation = ''): void => {
    const source = ctx.volumePath(v.name);
    put(
      v.dest,
      bindMount(source, v.dest, v.readOnly, 'rprivate'),
      {
        Type: 'volume',
        Name: v.name,
        Source: source,
        Destination: v.dest,
        Driver: v.driver || 'local',
        Mode: mode,
        RW: !v.readOnly,
        Propagation: propagation,
      },
      v,
    );
  };

  for (const spec of hc.VolumesFrom ?? []) {
    const [ref = '', mode = '', ...rest] = spec.split(':');
    if (rest.length > 0 || (mode !== '' && mode !== 'ro' && mode !== 'rw')) {
      throw new InvalidParameter(`invalid mode: ${mode}`);
    }
    if (!ctx.mountsOf) throw new NotFound(`No such container: ${ref}`);
    const other = ctx.mountsOf(ref);
    for (const p of other.points) {
      if (p.Type !== 'bind' && p.Type !== 'volume') continue;
      const rw = mode === '' ? p.RW : mode === 'rw';
      const point = { ...p, RW: rw };
      const v = other.volumes.find((x) => x.name === p.Name && x.dest === p.Destination);
      const vm = v && { ...v, readOnly: !rw, noCopy: true };
      put(p.Destination, bindMount(p.Source, p.Destination, !rw, p.Propagation || 'rprivate'), point, vm, true);
    }
  }
  for (const spec of hc.Binds ?? []) {
    const b = parseBind(spec);
    claim(b.dest);
    if (!b.source.startsWith('/')) {
      validateVolumeName(b.source);
      const opts = b.mode === '' ? [] : b.mode.split(',');
      volume(
        { name: b.source, dest: b.dest, anonymous: false, noCopy: opts.includes('nocopy'), readOnly: b.readOnly },
        b.mode || 'z',
      );
      continue;
    }
    createSources.push(b.source);
    put(b.dest, bindMount(b.source, b.dest, b.readOnly, b.propagation), {
      Type: 'bind',
      Source: b.source,
      Destination: b.dest,
      Mode: b.mode,
      RW: !b.readOnly,
      Propagation: b.propagation,
    });
  }
  for (const m of hc.Mounts ?? []) resolveMountRequest(m, ctx, claim, put, volume, mustExist);
  const tmpfsDests: string[] = [];
  for (const [dest, opts] of Object.entries(hc.Tmpfs ?? {})) {
    if (!dest.startsWith('/')) throw new InvalidParameter(`invalid tmpfs mount path: ${dest}`);
    claim(dest);
    tmpfsDests.push(clean(dest));
    put(
      dest,
      { destination: dest, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(opts) },
      {
        Type: 'tmpfs',
        Source: '',
        Destination: dest,
        Mode: '',
        RW: true,
        Propagation: '',
      },
    );
  }
  // moby's createContainerOSSpecificSettings: a VOLUME with nothing mounted there gets an anonymous volume.
  for (const spec of ctx.configVolumes ?? []) {
    const dest = clean(spec);
    if (byDest.has(dest)) continue;
    checkDestination(dest, spec);
    volume({ name: ctx.newVolumeName(), dest, anonymous: true, noCopy: false, readOnly: false }, '');
  }
  // Parents before what is mounted inside them (moby sorts by the destination's depth); stable otherwise.
  const depth = (m: { point: MountPoint }) => clean(m.point.Destination).split('/').length;
  const all = [...byDest.values()].sort((a, b) => depth(a) - depth(b));
  return {
    oci: all.map((m) => m.oci),
    // --tmpfs mounts are not in inspect's Mounts (Docker shows them under HostConfig.Tmpfs only).
    points: all.filter((m) => !tmpfsDests.includes(clean(m.point.Destination))).map((m) => m.point),
    createSources,
    mustExist,
    volumes: all.flatMap((m) => (m.volume ? [m.volume] : [])),
  };
}

function resolveMountRequest(
  m: MountRequest,
  ctx: MountContext,
  claim: (dest: string) => void,
  put: (dest: string, oci: Mount, point: MountPoint) => void,
  volume: (v: VolumeMount, mode: string) => void,
  mustExist: string[],
): void {
  const type = m.Type ?? '';
  const target = m.Target ?? '';
  if (type === 'npipe' || type === 'cluster' || type === 'image') {
    throw new InvalidParameter(`mount type "${type}" is not supported`);
  }
  if (type !== 'bind' && type !== 'tmpfs' && type !== 'volume')
    throw new InvalidParameter(`mount type unknown: "${type}"`);
  if (!target.startsWith('/'))
    throw new InvalidParameter(
      `invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`,
    );
  claim(target);
  const mix = (what: string) =>
    new InvalidParameter(`invalid mount config for type "${type}": field ${what} must not be specified`);
  if (type !== 'volume' && m.VolumeOptions) throw mix('VolumeOptions');
  if (type !== 'bind' && m.BindOptions) throw mix('BindOptions');
  if (type !== 'tmpfs' && m.TmpfsOptions) throw mix('TmpfsOptions');
  if (type === 'volume') {
    const source = m.Source ?? '';
    if (source !== '') validateVolumeName(source);
    const vo = m.VolumeOptions ?? {};
    if (vo.Subpath) throw new InvalidParameter('volume subpaths are not supported');
    volume(
      {
        name: source || ctx.newVolumeName(),
        dest: target,
        anonymous: source === '',
        noCopy: vo.NoCopy === true,
        readOnly: m.ReadOnly === true,
        ...(vo.Labels && Object.keys(vo.Labels).length > 0 ? { labels: vo.Labels } : {}),
        ...(vo.DriverConfig?.Options && Object.keys(vo.DriverConfig.Options).length > 0
          ? { options: vo.DriverConfig.Options }
          : {}),
        ...(vo.DriverConfig?.Name ? { driver: vo.DriverConfig.Name } : {}),
      },
      // dockerd's setBindModeIfNull: a local volume's mount gets "z" (only Config.Volumes' anonymous ones stay "").
      'z',
    );
    return;
  }
  if (type === 'bind') {
    const source = m.Source ?? '';
    if (!source.startsWith('/'))
      throw new InvalidParameter(
        `invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`,
      );
    if (!m.BindOptions?.CreateMountpoint) mustExist.push(source);
    const propagation = m.BindOptions?.Propagation || 'rprivate';
    put(target, bindMount(source, target, m.ReadOnly === true, propagation), {
      Type: 'bind',
      Source: source,
      Destination: target,
      Mode: '',
      RW: m.ReadOnly !== true,
      Propagation: propagation,
    });
    return;
  }
  if (m.Source) throw new InvalidParameter('invalid mount config for type "tmpfs": field Source must not be specified');
  const opts = ['nosuid', 'nodev', 'noexec'];
  if (m.ReadOnly) opts.push('ro');
  if (m.TmpfsOptions?.SizeBytes) opts.push(`size=${m.TmpfsOptions.SizeBytes}`);
  if (m.TmpfsOptions?.Mode) opts.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
  put(
    target,
    { destination: target, type: 'tmpfs', source: 'tmpfs', options: opts },
    {
      Type: 'tmpfs',
      Source: '',
      Destination: target,
      Mode: '',
      RW: m.ReadOnly !== true,
      Propagation: '',
    },
  );
}
