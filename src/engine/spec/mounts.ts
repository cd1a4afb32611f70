// The container's mounts from HostConfig: Binds ("/host:/ctr[:opts]"), Mounts (type bind/tmpfs), Tmpfs, plus the
// files the engine writes (/etc/hostname, /etc/hosts, /etc/resolv.conf). Named volumes come with the volume issue.
import type { HostConfig, MountPoint } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import type { Mount } from '../../runtime/spec.js';

export interface ResolvedMounts {
  oci: Mount[];
  /** What inspect shows under Mounts. */
  points: MountPoint[];
  /** Host directories Docker creates for a missing bind source (only for `Binds`, never for `Mounts`). */
  createSources: string[];
}

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
  if (!source.startsWith('/')) {
    throw new InvalidParameter(
      `named volumes are not supported yet: "${source}" in '${spec}' (only bind mounts of absolute host paths)`,
    );
  }
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

export function resolveMounts(hc: HostConfig): ResolvedMounts {
  const oci: Mount[] = [];
  const points: MountPoint[] = [];
  const createSources: string[] = [];
  const seen = new Set<string>();
  const claim = (dest: string) => {
    const clean = dest.replace(/\/+$/, '') || '/';
    if (seen.has(clean)) throw new InvalidParameter(`Duplicate mount point: ${clean}`);
    seen.add(clean);
  };
  for (const spec of hc.Binds ?? []) {
    const b = parseBind(spec);
    claim(b.dest);
    oci.push(bindMount(b.source, b.dest, b.readOnly, b.propagation));
    createSources.push(b.source);
    points.push({
      Type: 'bind',
      Source: b.source,
      Destination: b.dest,
      Mode: b.mode,
      RW: !b.readOnly,
      Propagation: b.propagation,
    });
  }
  for (const m of hc.Mounts ?? []) {
    const type = m.Type ?? '';
    const target = m.Target ?? '';
    if (type === 'volume' || type === 'npipe' || type === 'cluster') {
      throw new InvalidParameter(`mount type "${type}" is not supported yet`);
    }
    if (type !== 'bind' && type !== 'tmpfs') throw new InvalidParameter(`mount type unknown: "${type}"`);
    if (!target.startsWith('/'))
      throw new InvalidParameter(`invalid mount config: mount path must be absolute: ${target}`);
    claim(target);
    if (type === 'bind') {
      const source = m.Source ?? '';
      if (!source.startsWith('/'))
        throw new InvalidParameter(
          `invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`,
        );
      const propagation = m.BindOptions?.Propagation || 'rprivate';
      oci.push(bindMount(source, target, m.ReadOnly === true, propagation));
      points.push({
        Type: 'bind',
        Source: source,
        Destination: target,
        Mode: '',
        RW: m.ReadOnly !== true,
        Propagation: propagation,
      });
    } else {
      const opts = ['nosuid', 'nodev', 'noexec'];
      if (m.ReadOnly) opts.push('ro');
      if (m.TmpfsOptions?.SizeBytes) opts.push(`size=${m.TmpfsOptions.SizeBytes}`);
      if (m.TmpfsOptions?.Mode) opts.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
      oci.push({ destination: target, type: 'tmpfs', source: 'tmpfs', options: opts });
      points.push({
        Type: 'tmpfs',
        Source: '',
        Destination: target,
        Mode: '',
        RW: m.ReadOnly !== true,
        Propagation: '',
      });
    }
  }
  for (const [dest, opts] of Object.entries(hc.Tmpfs ?? {})) {
    if (!dest.startsWith('/')) throw new InvalidParameter(`invalid tmpfs mount path: ${dest}`);
    claim(dest);
    oci.push({ destination: dest, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(opts) });
  }
  return { oci, points, createSources };
}
