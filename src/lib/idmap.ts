// User-namespace id mappings (the OCI runtime spec's uidMappings/gidMappings shape): translating ids between a
// container and the host, and the forms the kernel and berth's on-disk names take.
import { InvalidParameter } from '../errdefs/index.js';

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** A daemon's remapping (dockerd's idtools.IdentityMapping): ranges for uids and gids, container ids from 0. */
export interface IdentityMapping {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

/** The host id a container id maps to; InvalidParameter when no range covers it (Docker's "Container ID … cannot be mapped"). */
export function toHost(maps: readonly IdMapping[], id: number): number {
  for (const m of maps) {
    if (id >= m.containerID && id < m.containerID + m.size) return m.hostID + (id - m.containerID);
  }
  throw new InvalidParameter(`Container ID ${id} cannot be mapped to a host ID`);
}

/** The container id a host id shows as (the kernel's overflow id, 65534, when no range covers it). */
export function toContainer(maps: readonly IdMapping[], id: number): number {
  for (const m of maps) {
    if (id >= m.hostID && id < m.hostID + m.size) return m.containerID + (id - m.hostID);
  }
  return 65534;
}

/** The host uid and gid of root in the container. */
export function rootPair(m: IdentityMapping): { uid: number; gid: number } {
  return { uid: toHost(m.uidMappings, 0), gid: toHost(m.gidMappings, 0) };
}

/** /proc/<pid>/uid_map's format: one "container host size" line per range. */
export function idMapText(maps: readonly IdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/**
 * A short stable name for a mapping, safe as a directory name ("0.100000.65536-0.100000.65536"; ranges after the first
 * joined with "_"): dockerd names its remapped roots after the root pair, this also tells apart ranges of other sizes.
 */
export function mappingKey(m: IdentityMapping): string {
  const part = (maps: readonly IdMapping[]) => maps.map((r) => `${r.containerID}.${r.hostID}.${r.size}`).join('_');
  return `${part(m.uidMappings)}-${part(m.gidMappings)}`;
}
